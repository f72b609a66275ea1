"""Alert ids for bench fixtures: 26 characters of the ULID alphabet that
hayate's API accepts, sorting in the order of i (a fixed 10-character
prefix, then i in 16 base-32 digits)."""
ALPHA = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid(prefix, i):
    s = ""
    for _ in range(16):
        s = ALPHA[i % 32] + s
        i //= 32
    return prefix + s
