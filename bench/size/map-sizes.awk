# Attribute the bytes of a GNU ld map file to the objects that brought them.
#   awk -f map-sizes.awk fw.map      ->  "object text data bss" lines
# text = input sections placed in the output sections .text/.ARM.exidx/.isr_vector
# (code and read-only data), data = .data, bss = .bss. Sections the linker
# discarded (--gc-sections) are listed before the memory map and not counted.
function obj(file,    m) {
	if (match(file, /\([^()]*\)$/)) {
		m = substr(file, RSTART + 1, RLENGTH - 2)
		if (file ~ /libc_nano\.a|libc\.a|libg_nano\.a/) return "libc(" m ")"
		if (file ~ /libgcc\.a/) return "libgcc(" m ")"
		sub(/\.obj$|\.o$/, "", m)
		return m
	}
	sub(/.*\//, "", file)
	sub(/\.obj$|\.o$/, "", file)
	return file
}
function hex(s,    i, c, v) {
	v = 0
	s = tolower(substr(s, 3))
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", substr(s, i, 1)) - 1
		v = v * 16 + c
	}
	return v
}
function add(file, size,    o) {
	if (outsec == "") return
	o = obj(file)
	seen[o] = 1
	sz[o, outsec] += hex(size)
}
/^Linker script and memory map/ { on = 1; next }
!on { next }
/^\.[A-Za-z_]/ {
	name = $1
	outsec = ""
	if (name == ".text" || name == ".ARM.exidx" || name == ".isr_vector" || name == ".rodata") outsec = "text"
	else if (name == ".data") outsec = "data"
	else if (name == ".bss") outsec = "bss"
	next
}
/^ [^ ]+$/ { pending = 1; next }
pending && /^ +0x[0-9a-f]+ +0x[0-9a-f]+ / { pending = 0; add($3, $2); next }
{ pending = 0 }
/^ [.A-Za-z_*][^ ]* +0x[0-9a-f]+ +0x[0-9a-f]+ / && $1 != "*fill*" { add($4, $3) }
END {
	for (o in seen) printf "%s %d %d %d\n", o, sz[o, "text"], sz[o, "data"], sz[o, "bss"]
}
