#!/usr/bin/env bash
# Installs the Debian 12 packages hayate needs to build and test. Idempotent:
# packages already present are skipped, and apt-get update runs at most once.
#   scripts/deps.sh          build + test dependencies
#   scripts/deps.sh --bench  also the peer tools bench/ compares against
set -euo pipefail

pkgs=(
  build-essential cmake pkg-config git
  clang libclang-rt-14-dev          # libFuzzer and sanitizer runtimes
  libpcap-dev libsqlite3-dev libjansson-dev libcmocka-dev libssl-dev
  libopenblas-dev liblapacke-dev    # graphical lasso, NMF (lib/ml)
  libzstd-dev                       # NCD for phylogeny trees (lib/ml)
  libmicrohttpd-dev                 # the HTTP API (lib/serve)
  libcurl4-openssl-dev              # the webhook alert sink (lib/pipeline)
  libmagic-dev libfuzzy-dev         # file typing, ssdeep (lib/file)
  libyara-dev                       # YARA rule scanning (lib/file)
  libxgboost-dev                    # gradient-boosted models (lib/ml, the malware engine)
  liblinear-dev                     # linear models (lib/ml, the intel engine's ATT&CK classifier)
  libpsl-dev libxml2-dev libpoppler-glib-dev # public suffixes, HTML and PDF text (lib/text)
  libcairo2-dev                     # test_text_pdf draws its PDFs with cairo
  curl                              # integration tests talk to the API over HTTP
  tcpdump                           # tests cross-check pcaps with it
  chromium nodejs                   # the dashboard's browser test (tests/browser)
)
# Debian's npm, unless nodejs brings its own (NodeSource's conflicts with it)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
bench_pkgs=(tshark argus-server argus-client softflowd nfdump hyperfine time wrk yara ssdeep jq bc
            libwine mingw-w64)            # PE corpora: wine's DLLs, the mingw-w64 runtimes

[ "${1:-}" = "--bench" ] && pkgs+=("${bench_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done

# The tests' node_modules, pinned by their locks: tests/browser
# (playwright-core, the dashboard test) and tests/stix (ajv, the STIX 2.1
# schema validator); installed when missing or when the lock changed since
# the last install.
browser_modules() {
  local root dir
  root="$(cd "$(dirname "$0")/.." && pwd)/tests"
  for dir in "$root/browser" "$root/stix"; do
    [ -f "$dir/package-lock.json" ] || continue
    if [ ! -d "$dir/node_modules" ] ||
       [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
      echo "deps: npm ci in tests/$(basename "$dir")"
      npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
    fi
  done
}
[ ${#missing[@]} -eq 0 ] && { echo "deps: all ${#pkgs[@]} packages present"; browser_modules; exit 0; }

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "deps: installing ${missing[*]}"
stamp=/var/lib/apt/periodic/hayate-update-stamp
if [ ! -e "$stamp" ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then
  $SUDO apt-get update -qq
  $SUDO mkdir -p "$(dirname "$stamp")" && $SUDO touch "$stamp"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
browser_modules
