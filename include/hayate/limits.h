/* hayate: every cap on untrusted input, in one place. */
#ifndef HAYATE_LIMITS_H
#define HAYATE_LIMITS_H

/* Packets */
#define HY_MAX_SNAPLEN 262144u       /* largest captured frame accepted */
#define HY_MAX_VLAN_TAGS 4           /* 802.1Q/QinQ tags decoded per frame */
#define HY_MAX_IP6_EXT_HDRS 16       /* IPv6 extension headers walked */
#define HY_MAX_TCP_SACK_BLOCKS 4

/* Flows */
#define HY_FLOW_FIRST_PAYLOADS 8     /* sizes of the first N payloads kept */
#define HY_DEFAULT_FLOW_MAX 1000000u /* default flow-table cap (all shards) */
#define HY_DEFAULT_FLOW_IDLE_S 60    /* idle timeout, seconds */
#define HY_DEFAULT_FLOW_ACTIVE_S 1800 /* active timeout, seconds */
#define HY_DEFAULT_TCP_CLOSED_S 5    /* linger after FIN/RST before export */

/* Buffers, text, config */
#define HY_MAX_CONFIG_BYTES (1u << 20)   /* config file size */
#define HY_MAX_CONFIG_LINE 4096u
#define HY_MAX_JSON_DOC (16u << 20)      /* a JSON document read from outside */
#define HY_MAX_DIR_FILES 100000u         /* files taken from one directory */
#define HY_MAX_PATH 4096u

/* Pipeline */
#define HY_MAX_THREADS 64
#define HY_QUEUE_DEFAULT_CAP 64          /* batches per queue */
#define HY_BATCH_PACKETS 256             /* packets per batch */
#define HY_BATCH_BYTES (1u << 20)        /* arena bytes per batch */

/* Store */
#define HY_STORE_BATCH_ROWS 512          /* rows per write transaction */

#endif
