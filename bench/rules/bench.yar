/* A small mixed rule set for throughput comparisons (bench/malware.sh):
 * text, wide and nocase strings, hex with jumps, a regular expression,
 * and pe/elf module conditions. Written for hayate's benchmarks; not a
 * detection set. */
import "pe"
import "elf"

rule text_marker { strings: $a = "This program cannot be run in DOS mode" condition: $a }
rule wide_marker { strings: $a = "kernel32.dll" wide nocase condition: $a }
rule nocase_shell { strings: $a = "/bin/sh -c" nocase $b = "cmd.exe /c" nocase condition: any of them }
rule hex_jump { strings: $h = { 55 48 89 E5 [2-8] 48 83 EC ?? } condition: #h > 1000 }
rule regex_url { strings: $r = /https?:\/\/[a-z0-9.-]{4,40}\/[a-z]{3,12}\.php/ condition: $r }
rule upx_like { strings: $a = "UPX!" $b = "UPX0" condition: all of them }
rule pe_many_sections { condition: pe.number_of_sections > 12 }
rule pe_dll_exports { condition: pe.is_dll() and pe.number_of_exports > 5000 }
rule elf_exec_stack { condition: elf.type == elf.ET_EXEC and elf.number_of_segments > 20 }
rule crypto_const { strings: $a = { 67 E6 09 6A 85 AE 67 BB } $b = { 63 7C 77 7B F2 6B 6F C5 } condition: any of them }
