#!/bin/sh
# Usage: check-payloads.sh OUTDIR TARGET=IMAGE...
#
# Checks every OUTDIR/TARGET/*.livepatch against what Xen 4.17's loader
# requires and against what payloads/README.md promises:
#  - ET_REL x86-64; no SHT_REL; no W+X section; power-of-two alignments;
#  - .note.gnu.build-id, .livepatch.depends (target's build-id, or
#    xen_hello_world's for xen_bye_world), .livepatch.xen_depends (target's
#    build-id; absent only in xen_no_xen_buildid), all 36-byte GNU notes;
#  - .livepatch.funcs a multiple of 104 bytes, version 2, padding zero;
#    single hook sections exactly 8 bytes, load/unload multiples of 8;
#  - relocation types only R_X86_64_64/PC32/PLT32 (and NONE);
#  - undefined symbols all present in the target image's map (path#name for statics);
#  - new (non-overriding) symbols clash with the image only in xlp_dup_symbol;
#  - .modinfo NUL-terminated; build-ids distinct across all payloads.
# Prints one line per payload and fails on the first target with a problem.
set -eu
export LC_ALL=C

out=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
err() { echo "payloads-check: $p: $*" >&2; fail=1; }

# Hex of section $2 of ELF file $1 (empty if absent).
sect_hex() {
    if objcopy -O binary --only-section="$2" "$1" "$tmp/sect" 2>/dev/null; then
        od -An -v -tx1 "$tmp/sect" | tr -d ' \n'
    fi
}

# The desc of the GNU build-id note in section $2 of $1, or "BAD:<hex>".
note_id() {
    h=$(sect_hex "$1" "$2")
    case $h in
    04000000140000000300000047""4e5500*) ;;
    *) echo "BAD:$h"; return ;;
    esac
    id=${h#040000001400000003000000474e5500}
    [ ${#id} -eq 40 ] && echo "$id" || echo "BAD:$h"
}

for arg in "$@"; do
    target=${arg%%=*}
    img=${arg#*=}
    map=$img.map
    [ -f "$map" ] || { echo "payloads-check: no $map" >&2; exit 1; }
    awk '{ print $3 }' "$map" | sort -u > "$tmp/image-names"
    xen_id=$(note_id "$img" .note.gnu.build-id)
    hello_id=$(note_id "$out/$target/xen_hello_world.livepatch" .note.gnu.build-id)
    echo "$target: $img build-id $xen_id"

    for f in "$out/$target"/*.livepatch; do
        p=$(basename "$f" .livepatch)

        readelf -hW "$f" > "$tmp/h"
        grep -q 'Type: *REL ' "$tmp/h" || err "not ET_REL"
        grep -q 'Machine: *Advanced Micro Devices X86-64' "$tmp/h" || err "not x86-64"

        # Sections: name type size flags align (flags "-" when empty).
        readelf -SW "$f" | sed -n 's/^ *\[ *[0-9]*\] //p' | awk '
            $1 != "NULL" && NF >= 9 { flg = (NF == 10) ? $7 : "-"; print $1, $2, $5, flg, $NF }' > "$tmp/s"
        size() { awk -v n="$1" '$1 == n { print $3; exit }' "$tmp/s"; }
        has() { [ -n "$(size "$1")" ]; }

        awk '$2 == "REL" { print "SHT_REL section " $1 }
             $4 ~ /A/ && $4 ~ /W/ && $4 ~ /X/ { print "W+X section " $1 }
             { a = $5 + 0; while (a > 1 && a % 2 == 0) a /= 2; if (a > 1) print "bad alignment " $1 }
            ' "$tmp/s" > "$tmp/bad"
        [ -s "$tmp/bad" ] && err "$(cat "$tmp/bad")"

        # Notes.
        id=$(note_id "$f" .note.gnu.build-id)
        case $id in BAD*) err ".note.gnu.build-id $id" ;; esac
        echo "$id $target/$p" >> "$tmp/ids"
        dep=$(note_id "$f" .livepatch.depends)
        want=$xen_id
        [ "$p" = xen_bye_world ] && want=$hello_id
        [ "$dep" = "$want" ] || err ".livepatch.depends $dep, want $want"
        if [ "$p" = xen_no_xen_buildid ]; then
            has .livepatch.xen_depends && err "has .livepatch.xen_depends"
            xdep=-
        else
            xdep=$(note_id "$f" .livepatch.xen_depends)
            [ "$xdep" = "$xen_id" ] || err ".livepatch.xen_depends $xdep, want $xen_id"
        fi

        # Patching sections.
        nfuncs=0
        if has .livepatch.funcs; then
            fs=$((0x$(size .livepatch.funcs)))
            [ $((fs % 104)) -eq 0 ] && [ "$fs" -gt 0 ] || err ".livepatch.funcs size $fs"
            nfuncs=$((fs / 104))
            h=$(sect_hex "$f" .livepatch.funcs)
            i=0
            while [ $i -lt $nfuncs ]; do
                e=$(printf '%s' "$h" | cut -c$((i * 208 + 65))-$((i * 208 + 144)))
                case $e in 02000000000000000000000000000000000000000000000000000000000000000000000000000000) ;;
                *) err "funcs[$i] version/padding $e" ;; esac
                i=$((i + 1))
            done
        fi
        hooks=
        for k in load unload preapply apply postapply prerevert revert postrevert; do
            has .livepatch.hooks.$k || continue
            hs=$((0x$(size .livepatch.hooks.$k)))
            hooks="$hooks $k:$((hs / 8))"
            case $k in
            load|unload) [ $((hs % 8)) -eq 0 ] && [ "$hs" -gt 0 ] || err "hooks.$k size $hs" ;;
            *) [ "$hs" -eq 8 ] || err "hooks.$k size $hs" ;;
            esac
        done
        [ $nfuncs -gt 0 ] || [ -n "$hooks" ] || err "nothing to patch"

        if has .modinfo; then
            case $(sect_hex "$f" .modinfo) in *00) ;; *) err ".modinfo not NUL-terminated" ;; esac
        fi

        # Relocation types.
        readelf -rW "$f" | awk '$3 ~ /^R_/ { print $3 }' | sort -u > "$tmp/r"
        bad=$(grep -v -x -e R_X86_64_64 -e R_X86_64_PC32 -e R_X86_64_PLT32 -e R_X86_64_NONE "$tmp/r" || true)
        [ -z "$bad" ] || err "relocation types: $bad"

        # Symbols: undefined ones must be in the image; new ones must not be.
        readelf -sW "$f" | awk '$1 ~ /^[0-9]+:$/ && NF == 8' > "$tmp/sym"
        awk '$7 == "UND" { print $8 }' "$tmp/sym" | sort -u > "$tmp/und"
        missing=$(comm -23 "$tmp/und" "$tmp/image-names" | tr '\n' ' ')
        [ -z "$missing" ] || err "undefined symbols not in the image: $missing"
        awk '$7 == "COM" { print "COMMON symbol " $8 }' "$tmp/sym" > "$tmp/bad"
        [ -s "$tmp/bad" ] && err "$(cat "$tmp/bad")"
        # new_addr targets (funcs[i] + 8) are overriding symbols, not new ones.
        readelf -rW "$f" | awk '
            /^Relocation section / { in_funcs = ($3 == "'"'"'.rela.livepatch.funcs'"'"'") }
            in_funcs && $3 ~ /^R_/ && (("0x" $1) + 0) % 104 == 8 { print $5 }' > "$tmp/override"
        # Defined, named, not FILE/SECTION, in an ALLOC section, not .L in a MERGE one.
        readelf -SW "$f" | sed -n 's/^ *\[ *\([0-9]*\)\] /\1 /p' |
            awk 'NF >= 10 { flg = (NF == 11) ? $8 : "-"; print $1, flg }' > "$tmp/sflags"
        awk 'NR == FNR { flags[$1] = $2; next }
             $4 != "FILE" && $4 != "SECTION" && $7 ~ /^[0-9]+$/ && flags[$7] ~ /A/ &&
             !($8 ~ /^\.L/ && flags[$7] ~ /M/) { print $8 }' "$tmp/sflags" "$tmp/sym" |
            sort -u > "$tmp/defined"
        sort -u "$tmp/override" | comm -23 "$tmp/defined" - > "$out/$target/obj/$p.newsyms"
        clash=$(comm -12 "$out/$target/obj/$p.newsyms" "$tmp/image-names" | tr '\n' ' ')
        if [ "$p" = xlp_dup_symbol ]; then
            [ "$clash" = "xen_build_info " ] || err "expected only xen_build_info to clash, got '$clash'"
        else
            [ -z "$clash" ] || err "new symbols already in the image: $clash"
        fi

        echo "  $p: id $id funcs $nfuncs hooks${hooks:- -} relocs $(tr '\n' ' ' < "$tmp/r")"
    done
    [ $fail -eq 0 ] || exit 1
done

dups=$(awk '{ print $1 }' "$tmp/ids" | sort | uniq -d)
if [ -n "$dups" ]; then
    echo "payloads-check: duplicate build-ids: $dups" >&2
    exit 1
fi
echo "payloads-check: all $(wc -l < "$tmp/ids") payloads OK"
