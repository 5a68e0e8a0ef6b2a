-- wrk.lua: cycles through a URL list, counts non-200 responses, reports JSON.
--
--   wrk -t T -c C -d 15s --timeout 60s -s bench/wrk.lua http://HOST:PORT -- LIST C T
--
-- LIST holds one URL (or path) per line; only the path is sent, to the host
-- given to wrk. wrk runs one Lua state per thread and gives each thread C/T
-- connections; this script keeps C/T cursors per thread, spread evenly over
-- the list (connection g of C starts at g*N/C), and hands them out in turn,
-- so every connection walks the list from its own offset and concurrent
-- requests are for different URLs. At the end done() prints one line,
--   WRK_RESULT {"requests":..,"rps":..,"p50_us":..,"p99_us":..,"non200":..,...}
-- with wrk's latency percentiles and the error counts.

local paths = {}
local cursors = {}
local ncur = 1
local turn = 0
local threads = {}

function setup(thread)
   thread:set("thread_index", #threads)
   table.insert(threads, thread)
end

function init(args)
   local file = args[1]
   local conns = tonumber(args[2]) or 1
   local nthreads = tonumber(args[3]) or 1
   if file == nil then
      error("wrk.lua: give the URL list file after --")
   end
   for line in io.lines(file) do
      line = line:gsub("^%s+", ""):gsub("%s+$", "")
      if line ~= "" and line:sub(1, 1) ~= "#" then
         local path = line:gsub("^[%a][%w+.-]*://[^/]*", "")
         if path == "" then path = "/" end
         paths[#paths + 1] = path
      end
   end
   if #paths == 0 then
      error("wrk.lua: " .. file .. " has no URLs")
   end
   ncur = math.max(1, math.floor(conns / nthreads))
   local t = thread_index or 0
   for j = 0, ncur - 1 do
      local g = t * ncur + j
      cursors[j] = math.floor(g * #paths / conns) % #paths
   end
   non200 = 0
   statuses = ""
end

function request()
   local j = turn % ncur
   turn = turn + 1
   local i = cursors[j]
   cursors[j] = (i + 1) % #paths
   return wrk.format("GET", paths[i + 1])
end

local seen = {}
function response(status, headers, body)
   if status ~= 200 then
      non200 = non200 + 1
      if not seen[status] then
         seen[status] = true
         statuses = statuses .. (statuses == "" and "" or ",") .. tostring(status)
      end
   end
end

function done(summary, latency, requests)
   local non = 0
   local codes, have = {}, {}
   for _, t in ipairs(threads) do
      non = non + (tonumber(t:get("non200")) or 0)
      for code in string.gmatch(t:get("statuses") or "", "%d+") do
         if not have[code] then
            have[code] = true
            codes[#codes + 1] = code
         end
      end
   end
   table.sort(codes)
   local e = summary.errors
   local secs = summary.duration / 1e6
   io.write(string.format(
      'WRK_RESULT {"requests":%d,"duration_s":%.3f,"rps":%.2f,"bytes":%d,' ..
      '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
      '"non200":%d,"statuses":"%s","connect":%d,"read":%d,"write":%d,"timeout":%d,"status_gt399":%d}\n',
      summary.requests, secs, summary.requests / secs, summary.bytes,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      non, table.concat(codes, ","), e.connect, e.read, e.write, e.timeout, e.status))
end
