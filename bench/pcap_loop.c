/* The read floor of any flow meter built on libpcap, for bench/flows.sh:
 * opens the capture the way hayate's file source does (a stdio stream with
 * a 256 KiB buffer handed to pcap_fopen_offline) and reads it as hayate
 * reads files, 256 packets a pcap_dispatch call, to the end, looking at
 * nothing but each record's length.
 *
 *   bench_pcap_loop FILE      prints "N packets, B bytes"; exit 2 on error */
#include <pcap/pcap.h>
#include <stdio.h>

struct count {
    unsigned long long n, bytes;
};

static void on_packet(u_char *ud, const struct pcap_pkthdr *h, const u_char *d)
{
    struct count *c = (struct count *)ud;
    (void)d;
    c->n++;
    c->bytes += h->caplen;
}

int main(int argc, char **argv)
{
    static char iobuf[256u << 10];
    char eb[PCAP_ERRBUF_SIZE];
    struct count c = {0, 0};
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: bench_pcap_loop FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
    pcap_t *p = pcap_fopen_offline(f, eb);
    if (!p) {
        fprintf(stderr, "%s: %s\n", argv[1], eb);
        fclose(f);
        return 2;
    }
    while ((rc = pcap_dispatch(p, 256, on_packet, (u_char *)&c)) > 0)
        ;
    if (rc == PCAP_ERROR)
        fprintf(stderr, "%s: %s\n", argv[1], pcap_geterr(p));
    printf("%llu packets, %llu bytes\n", c.n, c.bytes);
    pcap_close(p);
    return rc == PCAP_ERROR ? 2 : 0;
}
