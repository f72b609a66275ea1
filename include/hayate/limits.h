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

/* Files fed to file engines (hy_pipeline_feed_files) */
#define HY_MAX_FEED_FILES 1000000u       /* files taken from one folder tree */
#define HY_MAX_FEED_DEPTH 32             /* folder nesting walked */
#define HY_MAX_FILE_BYTES (256u << 20)   /* a file analysed whole; larger ones are skipped */

/* Pipeline */
#define HY_MAX_THREADS 64
#define HY_QUEUE_DEFAULT_CAP 64          /* batches per queue */
#define HY_BATCH_PACKETS 1024            /* packets per batch */
#define HY_BATCH_BYTES (1u << 20)        /* arena bytes per batch */

/* Store */
#define HY_STORE_BATCH_ROWS 512          /* rows per write transaction */

/* ELF (lib/file/elf*.c) */
#define HY_ELF_MAX_PHDRS 4096u         /* program headers read */
#define HY_ELF_MAX_SECTIONS 65536u     /* section headers read */
#define HY_ELF_MAX_DYNAMIC 8192u       /* dynamic entries walked */
#define HY_ELF_MAX_NEEDED 512u         /* DT_NEEDED names kept */
#define HY_ELF_MAX_SYMBOLS (1u << 18)  /* .dynsym entries kept, .symtab entries counted */
#define HY_ELF_MAX_NOTES 8192u         /* notes kept (SDT probes, annobin) */
#define HY_ELF_MAX_STR 4096u           /* bytes of one string (longer: truncated) */
#define HY_ELF_MAX_ANOMALIES 256u      /* anomalies listed (all are counted) */
#define HY_ELF_ANOMALIES_PER_KIND 8u   /* listed per kind */
#define HY_ELF_ENTROPY_FACTOR 4u       /* entropy reads at most this x size + 4 KiB */
#define HY_ELF_STR_FACTOR 4u           /* string bytes scanned/copied: this x size + 1 MiB */

/* PE files (lib/file/pe*.c, docs/malware.md) */
#define HY_PE_MAX_SECTIONS 256       /* section headers kept (the spec's loader cap: 96) */
#define HY_PE_MAX_IMPORT_DLLS 1024   /* descriptors walked per import table */
#define HY_PE_MAX_IMPORT_FUNCS 16384 /* imported functions kept, all DLLs, both tables */
#define HY_PE_MAX_EXPORTS 16384      /* export address and name entries walked */
#define HY_PE_MAX_RES_DIRS 1024      /* resource directories visited */
#define HY_PE_MAX_RES_ENTRIES 16384  /* resource directory entries walked */
#define HY_PE_MAX_RES_TYPES 64       /* distinct resource types counted */
#define HY_PE_MAX_RES_LANGS 32       /* distinct resource languages listed */
#define HY_PE_RES_LARGEST 5          /* largest resources described */
#define HY_PE_MAX_TLS_CALLBACKS 64   /* TLS callback pointers walked */
#define HY_PE_MAX_RICH_ENTRIES 128   /* Rich header @comp.id/count pairs */
#define HY_PE_MAX_RICH_SCAN 4096u    /* bytes after the DOS header searched for "Rich" */
#define HY_PE_MAX_NAME 256u          /* a DLL, import or export name, bytes */
#define HY_PE_MAX_ANOMALIES 64       /* anomalies kept (the rest only counted) */
#define HY_PE_ANOMALIES_PER_KIND 4   /* of them, listed per kind */
#define HY_PE_ENTROPY_FACTOR 4u      /* entropy reads at most this x file size */

/* YARA rules (lib/file/yara.c, docs/malware.md) */
#define HY_YARA_MAX_RULE_FILES 10000u        /* rule files compiled from all folders */
#define HY_YARA_MAX_RULE_BYTES (16u << 20)   /* one rule file or inline source */
#define HY_YARA_MAX_DEPTH 16                 /* folder nesting walked */
#define HY_YARA_MAX_ERRORS 4                 /* compile errors named in the detail */
#define HY_YARA_MAX_WARNINGS 256u            /* compile warnings kept (all counted) */
#define HY_YARA_MAX_TAGS 8                   /* tags kept per match */
#define HY_YARA_MAX_META 8                   /* metadata entries kept per match */
#define HY_YARA_MAX_IDENT 128u               /* rule, tag or meta name, bytes with NUL */
#define HY_YARA_MAX_NS 256u                  /* namespace (relative path), bytes with NUL */
#define HY_YARA_MAX_META_VALUE 256u          /* a meta value, bytes with NUL */

/* Labelled training data (lib/ml/mldata*.c, include/hayate/mldata.h) */
#define HY_MLDATA_MAX_ROWS (1u << 24)         /* rows kept (EMBER2018 train: 800,000) */
#define HY_MLDATA_MAX_COLS (1u << 24)         /* columns: libsvm index or CSV width below this */
#define HY_MLDATA_MAX_NNZ ((size_t)1 << 30)   /* stored values, all rows (8 bytes each) */
#define HY_MLDATA_MAX_LINE (1u << 20)         /* bytes of one text line, '\r' included */

#endif
