# detect_series.awk - one long series for bench/detect_speed.sh: NAB's values
# as written (every file's second column, in order), repeated to N rows, each
# at the next 5-minute step from 2014-01-01 00:00:00. awk -v N=ROWS -f ... FILES
FNR == 1 { next }
{ i = index($0, ","); v[nv++] = substr($0, i + 1) }
END {
    split("31 28 31 30 31 30 31 31 30 31 30 31", md, " ")
    print "timestamp,value"
    y = 2014; m = 1; d = 1; mins = 0
    for (r = 0; r < N; r++) {
        printf "%04d-%02d-%02d %02d:%02d:00,%s\n", y, m, d, int(mins / 60), mins % 60, v[r % nv]
        mins += 5
        if (mins == 1440) {
            mins = 0; d++
            dm = md[m] + (m == 2 && y % 4 == 0)
            if (d > dm) { d = 1; m++; if (m > 12) { m = 1; y++ } }
        }
    }
}
