/* ELF parser, part 3 (include/hayate/elf.h): names of anomalies, machines
 * and file types for reports. */
#include "hayate/elf.h"

#include <stddef.h>

static const char *const anomaly_text[HY_ELF_AN__COUNT] = {
    [HY_ELF_AN_HEADER_TRUNCATED] = "file shorter than the ELF header",
    [HY_ELF_AN_BAD_CLASS] = "invalid EI_CLASS",
    [HY_ELF_AN_BAD_DATA] = "invalid EI_DATA (byte order)",
    [HY_ELF_AN_BAD_VERSION] = "ELF version is not 1",
    [HY_ELF_AN_BAD_EHSIZE] = "e_ehsize differs from the header size",
    [HY_ELF_AN_BAD_PHENTSIZE] = "e_phentsize wrong for the class",
    [HY_ELF_AN_BAD_SHENTSIZE] = "e_shentsize wrong for the class",
    [HY_ELF_AN_PHDRS_PAST_END] = "program header table past end of file",
    [HY_ELF_AN_PHDRS_CAPPED] = "too many program headers (capped)",
    [HY_ELF_AN_SHDRS_PAST_END] = "section header table past end of file",
    [HY_ELF_AN_SHDRS_CAPPED] = "too many section headers (capped)",
    [HY_ELF_AN_NO_SECTIONS] = "no section headers",
    [HY_ELF_AN_SHSTRNDX_RANGE] = "e_shstrndx out of range",
    [HY_ELF_AN_SHSTRTAB_TYPE] = "section name table is not SHT_STRTAB",
    [HY_ELF_AN_SECTION_PAST_END] = "section file range past end",
    [HY_ELF_AN_SEGMENT_PAST_END] = "segment file range past end",
    [HY_ELF_AN_SEGMENT_FILESZ] = "segment p_filesz larger than p_memsz",
    [HY_ELF_AN_SEGMENT_WRAPS] = "segment range wraps around",
    [HY_ELF_AN_SEGMENT_WX] = "segment both writable and executable",
    [HY_ELF_AN_SEGMENTS_OVERLAP] = "overlapping segments",
    [HY_ELF_AN_SEGMENTS_UNSORTED] = "PT_LOAD segments not sorted by address",
    [HY_ELF_AN_NO_LOAD] = "no PT_LOAD segment",
    [HY_ELF_AN_ENTRY_OUTSIDE] = "entry point outside any PT_LOAD",
    [HY_ELF_AN_ENTRY_NOT_EXEC] = "entry point in a non-executable segment",
    [HY_ELF_AN_MULTIPLE_INTERP] = "more than one PT_INTERP",
    [HY_ELF_AN_INTERP_BAD] = "interpreter past end or not NUL-terminated",
    [HY_ELF_AN_MULTIPLE_DYNAMIC] = "more than one dynamic section",
    [HY_ELF_AN_DYNAMIC_MISMATCH] = ".dynamic and PT_DYNAMIC disagree",
    [HY_ELF_AN_DYNAMIC_NO_NULL] = "dynamic section without DT_NULL",
    [HY_ELF_AN_DYNAMIC_CAPPED] = "too many dynamic entries (capped)",
    [HY_ELF_AN_DYNAMIC_UNMAPPED] = "dynamic address maps to no file bytes",
    [HY_ELF_AN_NEEDED_CAPPED] = "too many DT_NEEDED entries (capped)",
    [HY_ELF_AN_STR_OFFSET] = "string offset outside its table",
    [HY_ELF_AN_STR_UNTERMINATED] = "string not NUL-terminated within its table",
    [HY_ELF_AN_STR_TOO_LONG] = "string too long (truncated)",
    [HY_ELF_AN_BAD_LINK] = "sh_link names no string table",
    [HY_ELF_AN_BAD_ENTSIZE] = "table entry size wrong for the class",
    [HY_ELF_AN_SYMBOLS_CAPPED] = "too many symbols (capped)",
    [HY_ELF_AN_HASH_BAD] = "symbol hash table unreadable or inconsistent",
    [HY_ELF_AN_NOTE_BAD] = "note past the end of its area",
    [HY_ELF_AN_NOTES_CAPPED] = "too many notes (capped)",
    [HY_ELF_AN_ENTROPY_BUDGET] = "entropy budget spent (ranges overlap heavily)",
    [HY_ELF_AN_STR_BUDGET] = "string budget spent (names shared heavily)",
};

const char *hy_elf_anomaly_str(hy_elf_anomaly_kind kind)
{
    if ((unsigned)kind >= HY_ELF_AN__COUNT || !anomaly_text[kind])
        return "unknown anomaly";
    return anomaly_text[kind];
}

const char *hy_elf_machine_str(uint16_t machine)
{
    static const struct {
        uint16_t id;
        const char *name;
    } t[] = {
        {2, "SPARC"},        {3, "x86"},      {4, "m68k"},      {8, "MIPS"},
        {10, "MIPS-RS3-LE"}, {15, "PA-RISC"}, {18, "SPARC32+"}, {20, "PowerPC"},
        {21, "PowerPC64"},   {22, "S390"},    {40, "ARM"},      {42, "SuperH"},
        {43, "SPARCV9"},     {50, "IA-64"},   {62, "x86-64"},   {83, "AVR"},
        {92, "OpenRISC"},    {94, "Xtensa"},  {164, "Hexagon"}, {183, "AArch64"},
        {188, "MicroBlaze"}, {243, "RISC-V"}, {247, "BPF"},     {258, "LoongArch"},
        {0x9026, "Alpha"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].id == machine)
            return t[i].name;
    return machine == 0 ? "none" : "unknown";
}

const char *hy_elf_type_str(uint16_t type)
{
    static const char *const t[] = {"NONE", "REL", "EXEC", "DYN", "CORE"};
    return type < sizeof t / sizeof t[0] ? t[type] : "unknown";
}
