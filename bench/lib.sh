# Shared by the bench/*/run.sh comparisons. Source it.

# Runs the shell functions `baseline` and `candidate` alternately, $BENCH_ROUNDS times
# (default 3), output discarded, and prints the best wall-clock seconds of each:
# "BASELINE CANDIDATE". Alternating spreads a noisy neighbour over both sides; the best
# run of each is the one it disturbed least.
best_times() {
  local rounds=${BENCH_ROUNDS:-3} best_b="" best_c="" t0 t1 t2 b c
  for ((r = 0; r < rounds; r++)); do
    t0=$(date +%s.%N)
    baseline >/dev/null
    t1=$(date +%s.%N)
    candidate >/dev/null
    t2=$(date +%s.%N)
    b=$(echo "$t1 - $t0" | bc)
    c=$(echo "$t2 - $t1" | bc)
    if [[ -z $best_b ]] || (($(echo "$b < $best_b" | bc))); then best_b=$b; fi
    if [[ -z $best_c ]] || (($(echo "$c < $best_c" | bc))); then best_c=$c; fi
  done
  echo "$best_b $best_c"
}
