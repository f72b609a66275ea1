/* hayate internal: the engine table, one line per engine (X-macro, as YARA's
 * module_list). Adding an engine: a folder lib/engines/NAME/ defining
 * `const hy_engine hy_engine_NAME`, and one line X(NAME) here. */
#ifndef HAYATE_ENGINE_LIST_H
#define HAYATE_ENGINE_LIST_H

#define HY_ENGINE_LIST(X) X(darknet) X(malware) X(intel) X(screen)

#endif
