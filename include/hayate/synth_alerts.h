/* hayate: `hayate synth alerts`, a seeded SOC alert stream with ground truth
 * (issue 7: the screen engine's benchmark input).
 *
 * Suricata EVE JSON alerts, one a line in time order, from a simulated
 * network (10.0.0.0/16: workstations, a few critical servers, a DMZ) seen by
 * one sensor running an Emerging-Threats-like ruleset (lib/engines/screen/
 * synth_alerts_sigs.c, a few hundred signatures). Benign sources: policy and
 * info alerts of users (Zipf over ~150 signatures, daily and weekly cycle),
 * internal vulnerability scanners on some nights, misconfigured hosts
 * repeating one signature, nightly backups, and internet background
 * radiation at the DMZ. Attack campaigns (recon, exploitation, command and
 * control, exfiltration against 1-3 hosts over 1-3 days) are a small share
 * and reuse signatures the benign sources also raise. A second stream holds
 * the truth of every line. Memory does not grow with the number of days. */
#ifndef HAYATE_SYNTH_ALERTS_H
#define HAYATE_SYNTH_ALERTS_H

#include <stdint.h>
#include <stdio.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HY_SYNTH_ALERTS_MAX_DAYS          366u
#define HY_SYNTH_ALERTS_MIN_PER_DAY       100u
#define HY_SYNTH_ALERTS_MAX_PER_DAY       5000000u
#define HY_SYNTH_ALERTS_MIN_HOSTS         16u
#define HY_SYNTH_ALERTS_MAX_HOSTS         60000u /* workstations in 10.0.16.0-10.0.255.255 */
#define HY_SYNTH_ALERTS_MAX_CAMPAIGNS     64u
#define HY_SYNTH_ALERTS_MAX_CAMPAIGN_DAYS 14u
#define HY_SYNTH_ALERTS_MAX_VICTIMS       3u
/* Latest start accepted: 2300-01-01T00:00:00Z (times print with four-digit years). */
#define HY_SYNTH_ALERTS_MAX_START_NS (10413792000ull * 1000000000ull)

/* Ground-truth classes; the first five are benign. */
typedef enum hy_synth_alerts_class {
    HY_SA_POLICY = 0, /* users' policy and info alerts */
    HY_SA_SCANNER,    /* internal vulnerability scanners */
    HY_SA_MISCONFIG,  /* hosts repeating one signature all day */
    HY_SA_BACKUP,     /* nightly transfers between servers */
    HY_SA_BACKGROUND, /* internet background radiation at the DMZ */
    HY_SA_ATTACK,     /* a campaign */
    HY_SA_CLASSES
} hy_synth_alerts_class;

typedef enum hy_synth_alerts_stage {
    HY_SA_STAGE_NONE = 0,
    HY_SA_RECON,
    HY_SA_EXPLOIT,
    HY_SA_C2,
    HY_SA_EXFIL,
    HY_SA_STAGES
} hy_synth_alerts_stage;

typedef struct hy_synth_alerts_cfg {
    uint64_t seed;
    uint64_t start_ns;      /* first instant (default 2024-03-04T00:00:00Z, a Monday) */
    uint32_t days;          /* 1..366 (default 7) */
    uint32_t per_day;       /* benign alerts a day, averaged over a week (default 20000) */
    uint32_t hosts;         /* workstations (default 400); servers come on top */
    uint32_t campaigns;     /* attack campaigns, 0..64 (default 4) */
    uint32_t campaign_days; /* length of each; 0: 1..3 at random (default 0) */
    double attack_share;    /* target share of attack alerts, 0.0005..0.05 (default 0.005) */
} hy_synth_alerts_cfg;

typedef struct hy_synth_alerts_stats {
    uint64_t alerts, attack_alerts;
    uint64_t per_class[HY_SA_CLASSES];
    uint64_t per_stage[HY_SA_STAGES]; /* [0]: benign */
    uint64_t first_ns, last_ns;       /* first and last alert time */
    uint64_t eve_bytes;
    uint32_t campaigns;
    uint32_t signatures;        /* distinct signatures raised */
    uint32_t shared_signatures; /* raised by both attacks and benign sources */
    uint32_t catalogue;         /* signatures in the catalogue */
} hy_synth_alerts_stats;

/* One campaign's plan, for evaluation. Addresses are IPv4 in host order. */
typedef struct hy_synth_alerts_campaign_info {
    uint32_t id;      /* 1..campaigns, as in the truth */
    const char *kind; /* "web" (external, DMZ first) or "phish" (workstation first) */
    uint64_t start_ns, end_ns;
    uint32_t n_hosts;
    uint32_t hosts[HY_SYNTH_ALERTS_MAX_VICTIMS]; /* victims; [0] the foothold */
    uint32_t attacker, c2, exfil;                /* external addresses used */
    uint64_t stage_start_ns[HY_SA_STAGES], stage_end_ns[HY_SA_STAGES];
    uint32_t alerts[HY_SA_STAGES]; /* alerts per stage ([0] the total) */
} hy_synth_alerts_campaign_info;

/* Fills cfg with the defaults above (seed 1). */
void hy_synth_alerts_cfg_default(hy_synth_alerts_cfg *cfg);

/* Checks cfg: HY_OK, or HY_ERR_ARG with a detail naming the field. */
hy_err hy_synth_alerts_cfg_check(const hy_synth_alerts_cfg *cfg);

/* Writes the stream of cfg to eve (EVE JSON lines) and, when truth is not
 * NULL, the truth TSV to truth: a "#" header, then per alert
 * "line<TAB>label<TAB>class<TAB>campaign<TAB>stage<TAB>host" in the same
 * order (line 1-based in eve; label benign/attack; campaign 0 for benign;
 * stage - or recon/exploit/c2/exfil; host the internal host concerned).
 * st (optional) gets what was written. Bad cfg: HY_ERR_ARG; write failure:
 * HY_ERR_IO (output then incomplete). Same cfg, same bytes. */
hy_err hy_synth_alerts(const hy_synth_alerts_cfg *cfg, FILE *eve, FILE *truth,
                       hy_synth_alerts_stats *st);

/* The plan of campaign id (1..cfg->campaigns) of the stream cfg describes.
 * HY_ERR_ARG for a bad cfg, HY_ERR_NOTFOUND for an id out of range. */
hy_err hy_synth_alerts_campaign(const hy_synth_alerts_cfg *cfg, uint32_t id,
                                hy_synth_alerts_campaign_info *out);

/* "policy", "scanner", ..., "attack"; "?" out of range. */
const char *hy_synth_alerts_class_name(int cls);

/* "-", "recon", "exploit", "c2", "exfil"; "?" out of range. */
const char *hy_synth_alerts_stage_name(int stage);

#ifdef __cplusplus
}
#endif
#endif
