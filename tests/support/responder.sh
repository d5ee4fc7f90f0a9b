# Sourced by integration cases that talk to a fake server:
#   start_responder ROUTES.json
# starts tests/support/api_responder.py (requests recorded in requests.jsonl), exports
# PIPEWRIGHT_SERVER and PORT, and stops the responder when the case's shell exits.
start_responder() {
  python3 "$PW_SOURCE_DIR/tests/support/api_responder.py" --routes "$1" \
    --log "$PWD/requests.jsonl" --port-file "$PWD/.port" &
  RESPONDER_PID=$!
  trap 'kill $RESPONDER_PID 2>/dev/null; wait $RESPONDER_PID 2>/dev/null' EXIT
  for _ in $(seq 400); do
    [ -s .port ] && break
    sleep 0.05
  done
  PORT=$(cat .port)
  export PIPEWRIGHT_SERVER=http://127.0.0.1:$PORT
}
