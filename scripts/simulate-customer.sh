#!/usr/bin/env bash
# scripts/simulate-customer.sh — sandbox: make a "customer" write to a bot, through the fake Graph API
# that scripts/up.sh starts when WHATSAPP_ACCESS_TOKEN is not set. The fake builds a realistic Meta
# webhook, signs it with the app secret and POSTs it to the API's /whatsapp/webhook.
#
#   bash scripts/simulate-customer.sh --phone-number-id ID --from 15550001111 --text "hi" [--name Ann] [--duplicates N]
#
# Prints the wamid and the HTTP status(es) the webhook answered; exits 0 only if every delivery got 200.
# Environment (same defaults as scripts/up.sh): DATA_DIR (<repo>/.data), API_PORT (8000),
# FAKE_GRAPH_PORT (8089), WHATSAPP_APP_SECRET (default: read from $DATA_DIR/whatsapp_app_secret).
set -euo pipefail

ORIG_PWD=$PWD
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
    cat <<'EOF'
Usage: bash scripts/simulate-customer.sh --phone-number-id ID --from WA_ID --text TEXT [--name NAME] [--duplicates N]

  --phone-number-id ID   the bot's WhatsApp phone number id (whatsapp_phone_number_id of POST /bots/)
  --from WA_ID           the customer's WhatsApp number, digits only, e.g. 15550001111
  --text TEXT            the message text
  --name NAME            the customer's profile name (optional)
  --duplicates N         deliver the same webhook N times concurrently, as Meta may (default 1)

Needs scripts/up.sh running in sandbox mode (no WHATSAPP_ACCESS_TOKEN). Environment: DATA_DIR, API_PORT,
FAKE_GRAPH_PORT, WHATSAPP_APP_SECRET — the same as for scripts/up.sh.
EOF
}
die() { printf 'simulate-customer: %s\n' "$*" >&2; exit 2; }

phone="" from="" text="" name="" dups=1
while [ $# -gt 0 ]; do
    case "$1" in
        --phone-number-id) [ $# -ge 2 ] || die "$1 needs a value"; phone=$2; shift 2 ;;
        --from)            [ $# -ge 2 ] || die "$1 needs a value"; from=$2; shift 2 ;;
        --text)            [ $# -ge 2 ] || die "$1 needs a value"; text=$2; shift 2 ;;
        --name)            [ $# -ge 2 ] || die "$1 needs a value"; name=$2; shift 2 ;;
        --duplicates)      [ $# -ge 2 ] || die "$1 needs a value"; dups=$2; shift 2 ;;
        -h|--help)         usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
missing=()
[ -n "$phone" ] || missing+=(--phone-number-id)
[ -n "$from" ] || missing+=(--from)
[ -n "$text" ] || missing+=(--text)
if [ "${#missing[@]}" -gt 0 ]; then usage >&2; die "missing: ${missing[*]}"; fi
[[ "$phone" =~ ^[0-9]{1,64}$ ]] || die "--phone-number-id must be digits (got '$phone')"
[[ "$from" =~ ^[0-9]{5,20}$ ]] || die "--from must be a phone number in digits, e.g. 15550001111 (got '$from')"
if ! [[ "$dups" =~ ^[0-9]+$ ]] || [ "$dups" -lt 1 ] || [ "$dups" -gt 100 ]; then die "--duplicates must be 1..100 (got '$dups')"; fi
command -v curl >/dev/null 2>&1 || die "curl not found"
command -v python3 >/dev/null 2>&1 || die "python3 not found"

DATA_DIR=${DATA_DIR:-$ROOT/.data}
case "$DATA_DIR" in /*) ;; *) DATA_DIR="$ORIG_PWD/$DATA_DIR" ;; esac
API_PORT=${API_PORT:-8000}
FAKE_GRAPH_PORT=${FAKE_GRAPH_PORT:-8089}
FAKE="http://127.0.0.1:$FAKE_GRAPH_PORT"
WEBHOOK_URL="http://127.0.0.1:$API_PORT/whatsapp/webhook"

secret=${WHATSAPP_APP_SECRET:-}
if [ -z "$secret" ]; then
    [ -r "$DATA_DIR/whatsapp_app_secret" ] \
        || die "no app secret: $DATA_DIR/whatsapp_app_secret does not exist (is scripts/up.sh running in sandbox mode with this DATA_DIR?) and WHATSAPP_APP_SECRET is not set"
    secret=$(cat "$DATA_DIR/whatsapp_app_secret")
fi

health=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$FAKE/_fake/health" 2>/dev/null || true)
[ "$health" = 200 ] || die "the fake Graph API does not answer at $FAKE (HTTP ${health:-000}); start the sandbox with: bash scripts/up.sh (without WHATSAPP_ACCESS_TOKEN), or set FAKE_GRAPH_PORT"

body=$(python3 - "$WEBHOOK_URL" "$secret" "$phone" "$from" "$text" "$name" "$dups" <<'PY'
import json, sys
url, secret, phone, sender, text, name, dups = sys.argv[1:8]
req = {"webhook_url": url, "app_secret": secret, "phone_number_id": phone, "from": sender,
       "text": text, "duplicates": int(dups)}
if name:
    req["profile_name"] = name
print(json.dumps(req))
PY
)

resp_file=$(mktemp)
trap 'rm -f "$resp_file"' EXIT
code=$(curl -s -o "$resp_file" -w '%{http_code}' -m 60 -X POST "$FAKE/_fake/inbound" \
    -H 'Content-Type: application/json' --data-binary @- <<<"$body" || true)
[ "$code" = 200 ] || { cat "$resp_file" >&2; echo >&2; die "the fake Graph API answered HTTP ${code:-000} to /_fake/inbound"; }

python3 - "$resp_file" "$WEBHOOK_URL" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
statuses = r.get("http_statuses") or []
print(f"wamid:   {r.get('wamid')}")
print(f"webhook: {sys.argv[2]} answered {', '.join(str(s) for s in statuses) or 'nothing'}")
for e in r.get("errors") or []:
    if e:
        print(f"error:   {e}", file=sys.stderr)
if any(s == 0 for s in statuses):
    print("hint:    status 0 = could not connect; is the API running on that port (API_PORT)?", file=sys.stderr)
elif any(s == 404 for s in statuses):
    print("hint:    404 = this API has no POST /whatsapp/webhook (an older build?)", file=sys.stderr)
elif any(s == 401 for s in statuses):
    print("hint:    401 = bad signature; the app secret used here differs from the API's (WHATSAPP_APP_SECRET or the bot's whatsapp_app_secret)", file=sys.stderr)
sys.exit(0 if statuses and all(s == 200 for s in statuses) else 1)
PY
