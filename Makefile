# Thin wrapper over Meson + ninja for the common verbs. See README.md.
#   make          build build/tessera
#   make run      install what is missing, build, serve the samples on http://localhost:8182/
#   make test     install what is missing, build (plain, ASan+UBSan, fuzzers), run every test
#   make fuzz     build the libFuzzer targets with clang (build-fuzz/)
#   make soak     mixed load for SOAK_MINUTES (5), RSS over time (scripts/soak.py)
#   make bench    throughput and latency against a static-file ceiling (bench/README.md;
#                 BENCH_SECONDS=3 for a quick run)
#   make install  the binary, the samples and the viewer assets under PREFIX (/usr/local):
#                 PREFIX/bin/tessera, PREFIX/share/tessera/{samples,viewer}; DESTDIR is honoured

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
PORT       ?= 8182
PREFIX     ?= /usr/local

.PHONY: all deps build asan run test unit fuzz bench soak install clean

all: build

deps:
	@scripts/deps.sh
	@scripts/viewer-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) -Dwerror=true

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)

run: build
	./$(BUILD)/tessera serve --host 127.0.0.1 --port $(PORT)

test: build asan fuzz
	@scripts/test-deps.sh
	@scripts/run-tests.sh $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

unit: build
	@scripts/run-tests.sh --unit-only $(BUILD)

fuzz: deps
	@[ -f $(FUZZ_BUILD)/build.ninja ] || CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true -Dbuildtype=debug
	ninja -C $(FUZZ_BUILD)
	@echo "fuzzers: $$(find $(FUZZ_BUILD)/tests -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x | sort | tr '\n' ' ')"

bench: build
	@scripts/bench-deps.sh
	/usr/bin/python3 bench/run.py --build $(BUILD)

SOAK_MINUTES ?= 5
soak: build
	@scripts/bench-deps.sh
	/usr/bin/python3 scripts/soak.py --build $(BUILD) --minutes $(SOAK_MINUTES)

install: build
	meson configure $(BUILD) -Dprefix=$(PREFIX)
	meson install -C $(BUILD) $(if $(DESTDIR),--destdir $(DESTDIR))

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
