/* Cryptocurrency addresses, each verified by its own checksum so random
 * words never pass:
 *   Bitcoin  base58check P2PKH ('1', version 0) and P2SH ('3', version 5):
 *            the first 4 bytes of SHA-256(SHA-256(payload)) (OpenSSL EVP);
 *            bech32/bech32m "bc1..." segwit addresses (BIP 173, BIP 350).
 *   Monero   95-character standard/subaddress and 106-character integrated
 *            addresses in Monero's block base58 (8 bytes per 11 chars),
 *            checked with the first 4 bytes of Keccak-256.
 *   Ethereum "0x" + 40 hex; mixed case must satisfy EIP-55 (Keccak-256 of
 *            the lowercase hex picks the capitals). */
#include <string.h>

#include <openssl/evp.h>

#include "text/ioc_int.h"

static const char b58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

static int b58_digit(char c)
{
    const char *p = c ? strchr(b58, c) : NULL;
    return p ? (int)(p - b58) : -1;
}

/* ---- Keccak-256 ----------------------------------------------------------- */

static uint64_t rotl(uint64_t x, unsigned r)
{
    return (x << r) | (x >> (64 - r));
}

/* The Keccak-f[1600] permutation (FIPS 202, section 3). */
static void keccak_f(uint64_t st[25])
{
    static const uint64_t rc[24] = {
        0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
        0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
        0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
        0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
        0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
        0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull};
    static const unsigned rho[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                                     27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
    static const unsigned pi[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                                    15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};
    uint64_t bc[5], t;

    for (int round = 0; round < 24; round++) {
        for (int i = 0; i < 5; i++)
            bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
        for (int i = 0; i < 5; i++) {
            t = bc[(i + 4) % 5] ^ rotl(bc[(i + 1) % 5], 1);
            for (int j = 0; j < 25; j += 5)
                st[j + i] ^= t;
        }
        t = st[1];
        for (int i = 0; i < 24; i++) {
            uint64_t tmp = st[pi[i]];
            st[pi[i]] = rotl(t, rho[i]);
            t = tmp;
        }
        for (int j = 0; j < 25; j += 5) {
            for (int i = 0; i < 5; i++)
                bc[i] = st[j + i];
            for (int i = 0; i < 5; i++)
                st[j + i] ^= ~bc[(i + 1) % 5] & bc[(i + 2) % 5];
        }
        st[0] ^= rc[round];
    }
}

void hy__keccak256(const void *p, size_t n, uint8_t out[32])
{
    enum { RATE = 136 };
    const uint8_t *in = p;
    uint64_t st[25] = {0};
    uint8_t block[RATE];

    while (n >= RATE) {
        for (size_t k = 0; k < RATE; k++)
            st[k / 8] ^= (uint64_t)in[k] << (8 * (k % 8));
        keccak_f(st);
        in += RATE;
        n -= RATE;
    }
    memset(block, 0, sizeof block);
    if (n)
        memcpy(block, in, n);
    block[n] ^= 0x01; /* Keccak padding (SHA-3 would use 0x06) */
    block[RATE - 1] ^= 0x80;
    for (size_t k = 0; k < RATE; k++)
        st[k / 8] ^= (uint64_t)block[k] << (8 * (k % 8));
    keccak_f(st);
    for (size_t k = 0; k < 32; k++)
        out[k] = (uint8_t)(st[k / 8] >> (8 * (k % 8)));
}

/* ---- Bitcoin ---------------------------------------------------------------- */

static bool sha256d_check(const uint8_t *p, size_t n, const uint8_t sum[4])
{
    uint8_t h1[EVP_MAX_MD_SIZE], h2[EVP_MAX_MD_SIZE];
    unsigned l1 = 0, l2 = 0;
    if (!EVP_Digest(p, n, h1, &l1, EVP_sha256(), NULL) ||
        !EVP_Digest(h1, l1, h2, &l2, EVP_sha256(), NULL))
        return false;
    return memcmp(h2, sum, 4) == 0;
}

static bool base58check_ok(const char *s, size_t n)
{
    uint8_t buf[25] = {0};
    size_t ones = 0, zeros = 0;

    while (ones < n && s[ones] == '1')
        ones++;
    for (size_t i = 0; i < n; i++) {
        int d = b58_digit(s[i]);
        unsigned carry;
        if (d < 0)
            return false;
        carry = (unsigned)d;
        for (size_t k = sizeof buf; k-- > 0;) {
            carry += 58u * buf[k];
            buf[k] = (uint8_t)carry;
            carry >>= 8;
        }
        if (carry)
            return false; /* more than 25 bytes */
    }
    while (zeros < sizeof buf && !buf[zeros])
        zeros++;
    if (zeros != ones || (buf[0] != 0 && buf[0] != 5))
        return false;
    if ((s[0] == '1') != (buf[0] == 0))
        return false;
    return sha256d_check(buf, 21, buf + 21);
}

static uint32_t bech32_polymod(const uint8_t *v, size_t n)
{
    static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint32_t chk = 1;
    for (size_t i = 0; i < n; i++) {
        uint8_t top = (uint8_t)(chk >> 25);
        chk = ((chk & 0x1ffffff) << 5) ^ v[i];
        for (int k = 0; k < 5; k++)
            if ((top >> k) & 1)
                chk ^= gen[k];
    }
    return chk;
}

static bool bech32_ok(const char *s, size_t n)
{
    static const char cs[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    uint8_t v[96];
    bool upper = false, lower = false;
    size_t dl = n - 3, m = 0;

    if (n < 14 || n > 90)
        return false;
    v[m++] = 3, v[m++] = 3, v[m++] = 0, v[m++] = 2, v[m++] = 3; /* "bc" expanded */
    for (size_t i = 3; i < n; i++) {
        char c = s[i];
        const char *p;
        upper = upper || (c >= 'A' && c <= 'Z');
        lower = lower || (c >= 'a' && c <= 'z');
        c = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
        if (!(p = c ? strchr(cs, c) : NULL))
            return false;
        v[m++] = (uint8_t)(p - cs);
    }
    if ((upper && lower) || (s[0] == 'B') != upper || (s[1] == 'C') != upper)
        return false;
    uint32_t pm = bech32_polymod(v, m);
    unsigned ver = v[5];
    size_t bits = (dl - 1 - 6) * 5, plen = bits / 8;
    if (ver > 16 || bits % 8 >= 5 || plen < 2 || plen > 40)
        return false;
    if (ver == 0)
        return pm == 1 && (plen == 20 || plen == 32);
    return pm == 0x2bc830a3;
}

bool hy__bitcoin_ok(const char *s, size_t n)
{
    if (n >= 14 && (s[0] | 0x20) == 'b' && (s[1] | 0x20) == 'c' && s[2] == '1')
        return bech32_ok(s, n);
    if (n >= 26 && n <= 35 && (s[0] == '1' || s[0] == '3'))
        return base58check_ok(s, n);
    return false;
}

/* ---- Monero ----------------------------------------------------------------- */

/* Decodes one block of k base58 digits into nb big-endian bytes. */
static bool xmr_block(const char *s, size_t k, uint8_t *out, size_t nb)
{
    uint64_t v = 0;
    for (size_t i = 0; i < k; i++) {
        int d = b58_digit(s[i]);
        if (d < 0 || v > (UINT64_MAX - (uint64_t)d) / 58)
            return false;
        v = v * 58 + (uint64_t)d;
    }
    if (nb < 8 && (v >> (8 * nb)))
        return false;
    for (size_t i = nb; i-- > 0; v >>= 8)
        out[i] = (uint8_t)v;
    return true;
}

static bool monero_ok(const char *s, size_t n)
{
    uint8_t b[80], h[32];
    size_t nb = 0;

    if ((n != 95 && n != 106) || (s[0] != '4' && s[0] != '8'))
        return false;
    for (size_t i = 0; i + 11 <= n; i += 11, nb += 8)
        if (!xmr_block(s + i, 11, b + nb, 8))
            return false;
    if (!xmr_block(s + n - 7, 7, b + nb, 5)) /* 95 and 106 both end in 7 chars */
        return false;
    nb += 5;
    if (!((nb == 69 && (b[0] == 18 || b[0] == 42)) || (nb == 77 && b[0] == 19)))
        return false;
    hy__keccak256(b, nb - 4, h);
    return memcmp(h, b + nb - 4, 4) == 0;
}

/* ---- Ethereum --------------------------------------------------------------- */

bool hy__ethereum_ok(const char *s, size_t n)
{
    char low[40];
    uint8_t h[32];
    bool upper = false, lower = false;

    if (n != 42 || s[0] != '0' || s[1] != 'x')
        return false;
    for (size_t i = 0; i < 40; i++) {
        char c = s[i + 2];
        if (!hy__is((unsigned char)c, HY__C_HEX))
            return false;
        upper = upper || (c >= 'A' && c <= 'F');
        lower = lower || (c >= 'a' && c <= 'f');
        low[i] = (char)(c >= 'A' && c <= 'F' ? c | 0x20 : c);
    }
    if (!(upper && lower))
        return true;
    hy__keccak256(low, 40, h);
    for (size_t i = 0; i < 40; i++) {
        unsigned nib = (h[i / 2] >> (i % 2 ? 0 : 4)) & 0xf;
        char c = s[i + 2];
        if (c >= 'a' && c <= 'f' && nib >= 8)
            return false;
        if (c >= 'A' && c <= 'F' && nib < 8)
            return false;
    }
    return true;
}

bool hy__scan_coin(hy__scan *sc, size_t i, size_t j)
{
    const char *s = sc->s + i;
    size_t n = j - i;
    char v[128];

    if (n == 42 && s[0] == '0' && s[1] == 'x' && hy__ethereum_ok(s, n)) {
        for (size_t k = 0; k < n; k++)
            v[k] = (char)(s[k] >= 'A' && s[k] <= 'F' ? s[k] | 0x20 : s[k]);
        hy__emit(sc, HY_IOC_ETHEREUM, i, j, v, n);
        return true;
    }
    if (n >= 14 && n <= 90 && hy__bitcoin_ok(s, n)) {
        bool bech = s[0] != '1' && s[0] != '3';
        for (size_t k = 0; k < n; k++)
            v[k] = (char)(bech && s[k] >= 'A' && s[k] <= 'Z' ? s[k] | 0x20 : s[k]);
        hy__emit(sc, HY_IOC_BITCOIN, i, j, v, n);
        return true;
    }
    if ((n == 95 || n == 106) && monero_ok(s, n)) {
        hy__emit(sc, HY_IOC_MONERO, i, j, s, n);
        return true;
    }
    return false;
}
