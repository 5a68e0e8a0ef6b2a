/*
 * v2.h: Presentation 2.1 documents from the 3.0 ones manifest.c builds, for
 * viewers that still read 2.1 and ask for it by content negotiation
 * (recipe 0057). Pure.
 *
 * Language maps become a string (one value) or a list of {"@value",
 * "@language"}; summary becomes description, requiredStatement attribution,
 * rights license, homepage related, behavior viewingHint; Canvases go into
 * one Sequence, painting Annotations into `images` with the Image API 2
 * service; Ranges are listed flat, children by id. Ids stay the same: the
 * same resources, another representation.
 */
#ifndef TS_PRESENT_V2_H
#define TS_PRESENT_V2_H

#include <jansson.h>

/** The 2.1 form of a 3.0 Manifest or Collection, or NULL for anything else. */
json_t *ts_present_v2(const json_t *doc);

/** In a 2.1 document, the object with "@id" `id` (a Canvas, Annotation or Range), or NULL. Borrowed. */
json_t *ts_present_v2_find(json_t *doc, const char *id);

#endif
