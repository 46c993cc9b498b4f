#!/usr/bin/env bash
# Provision a real Elasticsearch 8.19.x for the test suite, without Docker.
#
# The server comes from Maven Central (integ-test-zip: core + netty + x-pack security, no bundled
# JDK), is cached outside the clone, runs as an unprivileged user on 127.0.0.1 with a small heap,
# and is reused when one is already healthy on the port.
#   usage: tests/provision/elasticsearch.sh start|stop|status
# (SUQIU_ES_PORT and SUQIU_ES_RUN choose another port and directory for a throw-away node;
#  SUQIU_ES_KEEP_DATA=1 makes `start` restart it on its old data)
# and, for the resilience tests, a two-node cluster of the same zip (es_cluster.sh):
#   tests/provision/elasticsearch.sh cluster-start|cluster-stop|cluster-status|cluster-urls
#   tests/provision/elasticsearch.sh node-stop N|node-start N      (N = 1 or 2)
set -euo pipefail

ES_VERSION="${SUQIU_ES_VERSION:-8.19.16}"
ES_PORT="${SUQIU_ES_PORT:-9200}"
ES_HOST=127.0.0.1
# as root the server runs as another user, who cannot enter /root: cache somewhere it can read
if [[ "$(id -u)" == "0" ]]; then DEFAULT_CACHE=/var/cache/suqiu/es; else DEFAULT_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/suqiu/es"; fi
CACHE_DIR="${SUQIU_ES_CACHE:-$DEFAULT_CACHE}"
RUN_DIR="${SUQIU_ES_RUN:-/tmp/suqiu-es-${ES_PORT}}"
ES_USER="${SUQIU_ES_USER:-suqiu-es}"
URL="http://${ES_HOST}:${ES_PORT}"

log() { echo "[elasticsearch] $*" >&2; }

healthy() {
  curl -fsS --max-time 3 "${URL}/_cluster/health?wait_for_status=yellow&timeout=2s" >/dev/null 2>&1
}

download() {
  local zip="${CACHE_DIR}/elasticsearch-${ES_VERSION}.zip"
  if [[ -s "$zip" ]]; then
    echo "$zip"; return
  fi
  mkdir -p "$CACHE_DIR"
  log "downloading elasticsearch ${ES_VERSION} from Maven Central into ${CACHE_DIR}"
  mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip" \
    -DoutputDirectory="$CACHE_DIR" >&2
  echo "$zip"
}

unpack() {
  local zip="$1" home="${CACHE_DIR}/elasticsearch-${ES_VERSION}"
  if [[ ! -x "${home}/bin/elasticsearch" ]]; then
    log "unpacking ${zip}"
    rm -rf "${home}.tmp" && mkdir -p "${home}.tmp"
    (cd "${home}.tmp" && python3 -m zipfile -e "$zip" .)
    mv "${home}.tmp/elasticsearch-${ES_VERSION}" "$home"
    rm -rf "${home}.tmp"
    chmod +x "$home"/bin/* "$home"/lib/platform/*/bin/* 2>/dev/null || true
  fi
  echo "$home"
}

java_home() {
  if [[ -n "${ES_JAVA_HOME:-}" ]]; then echo "$ES_JAVA_HOME"; return; fi
  if [[ -n "${JAVA_HOME:-}" ]]; then echo "$JAVA_HOME"; return; fi
  dirname "$(dirname "$(readlink -f "$(command -v java)")")"
}

# Launch one server daemonized from RUN_DIR ($1) with the heap options ($2) and -E settings (rest).
launch() {
  local run_dir="$1" heap="$2" home="$3"
  shift 3
  local runner=()
  if [[ "$(id -u)" == "0" ]]; then
    id "$ES_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER"
    chown -R "$ES_USER" "$run_dir"
    chmod -R a+rX "$home"
    runner=(runuser -u "$ES_USER" --)
  fi
  "${runner[@]}" env ES_JAVA_HOME="$(java_home)" ES_PATH_CONF="$run_dir/config" ES_JAVA_OPTS="$heap" \
    "$home/bin/elasticsearch" -d -p "$run_dir/es.pid" \
    -Enetwork.host="$ES_HOST" -Expack.security.enabled=false -Expack.ml.enabled=false \
    -Ecluster.routing.allocation.disk.threshold_enabled=false \
    -Epath.data="$run_dir/data" -Epath.logs="$run_dir/logs" "$@" \
    >"$run_dir/launch.out" 2>&1 || {
      log "elasticsearch failed to launch from ${run_dir}:"; tail -n 40 "$run_dir/launch.out" >&2; return 1; }
}

# A fresh RUN_DIR ($1) holding a copy of the distribution's config.
fresh_run_dir() {
  rm -rf "$1" && mkdir -p "$1"/{data,logs,config}
  cp -r "$2/config/." "$1/config/"
}

start() {
  if healthy; then
    log "reusing the Elasticsearch already healthy at ${URL}"
    return 0
  fi
  local t0=$SECONDS zip home
  zip="$(download)"
  home="$(unpack "$zip")"
  # SUQIU_ES_KEEP_DATA=1 restarts a stopped node on the data it had (the outage drills)
  [[ -n "${SUQIU_ES_KEEP_DATA:-}" && -d "$RUN_DIR/config" ]] || fresh_run_dir "$RUN_DIR" "$home"
  log "starting elasticsearch ${ES_VERSION} on ${URL} (data and logs under ${RUN_DIR})"
  launch "$RUN_DIR" "${ES_JAVA_OPTS:--Xms512m -Xmx512m}" "$home" \
    -Ediscovery.type=single-node -Ehttp.port="$ES_PORT" -Ecluster.name=suqiu-test || exit 1
  for _ in $(seq 1 120); do
    if healthy; then
      log "healthy after $((SECONDS - t0)) s"
      return 0
    fi
    sleep 1
  done
  log "elasticsearch did not become healthy in 120 s; log tail:"
  tail -n 60 "$RUN_DIR"/logs/*.log "$RUN_DIR/launch.out" >&2 2>/dev/null || true
  exit 1
}

stop() {
  if [[ -f "$RUN_DIR/es.pid" ]]; then
    kill "$(cat "$RUN_DIR/es.pid")" 2>/dev/null || true
    rm -f "$RUN_DIR/es.pid"
    log "stopped"
  fi
}

source "$(dirname "${BASH_SOURCE[0]}")/es_cluster.sh"

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) healthy && echo "healthy at ${URL}" || { echo "not running at ${URL}"; exit 1; } ;;
  cluster-start) cluster_start ;;
  cluster-stop) cluster_stop ;;
  cluster-status) cluster_healthy && echo "green with ${CLUSTER_NODES} nodes at $(cluster_urls)" \
    || { echo "no green ${CLUSTER_NODES}-node cluster at $(cluster_urls)"; exit 1; } ;;
  cluster-urls) cluster_urls ;;
  node-start) node_start "${2:?node number}" ;;
  node-stop) node_stop "${2:?node number}" ;;
  *) echo "usage: $0 start|stop|status|cluster-start|cluster-stop|cluster-status|cluster-urls|node-start N|node-stop N" >&2
     exit 2 ;;
esac
