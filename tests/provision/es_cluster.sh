# Two-node Elasticsearch cluster for the resilience tests; sourced by elasticsearch.sh, which owns
# the download, unpacking, user and launch (same cached 8.19.x zip as the single test node).
#
# Node N (1 or 2) serves HTTP on 127.0.0.1:(BASE+N) and transport on 127.0.0.1:(BASE+100+N),
# BASE = SUQIU_ES_CLUSTER_HTTP_BASE (9200: nodes on 9201/9301 and 9202/9302), each with its own data
# dir under CLUSTER_RUN. Node 1 is the only master-eligible node: with two master-eligible nodes
# the voting configuration holds just one of them, so losing "the wrong one" would stop the
# cluster; with node 2 data-only, stopping node 2 is the one loss the cluster must survive (yellow).

CLUSTER_NODES=2
CLUSTER_HTTP_BASE="${SUQIU_ES_CLUSTER_HTTP_BASE:-9200}"
CLUSTER_NAME=suqiu-test-cluster
CLUSTER_RUN="${SUQIU_ES_CLUSTER_RUN:-/tmp/suqiu-es-cluster-$((CLUSTER_HTTP_BASE + 1))}"
CLUSTER_JAVA_OPTS="${SUQIU_ES_CLUSTER_JAVA_OPTS:--Xms384m -Xmx384m}"

node_http() { echo $((CLUSTER_HTTP_BASE + $1)); }
node_transport() { echo $((CLUSTER_HTTP_BASE + 100 + $1)); }
node_url() { echo "http://${ES_HOST}:$(node_http "$1")"; }

cluster_urls() {
  local n urls=()
  for n in $(seq 1 "$CLUSTER_NODES"); do urls+=("$(node_url "$n")"); done
  (IFS=,; echo "${urls[*]}")
}

# Green, all nodes joined, and it is our cluster (not something else on the port).
cluster_healthy() {
  local body
  body="$(curl -fsS --max-time 4 \
    "$(node_url 1)/_cluster/health?wait_for_status=green&wait_for_nodes=${CLUSTER_NODES}&timeout=2s" 2>/dev/null)" \
    || return 1
  [[ "$body" == *"\"cluster_name\":\"${CLUSTER_NAME}\""* && "$body" == *'"status":"green"'* ]]
}

node_launch() {
  local n="$1" home="$2" dir="${CLUSTER_RUN}/node$1" seeds="" i
  for i in $(seq 1 "$CLUSTER_NODES"); do seeds+="${seeds:+,}${ES_HOST}:$(node_transport "$i")"; done
  local settings=(-Ecluster.name="$CLUSTER_NAME" -Enode.name="suqiu-node-${n}"
    -Ehttp.port="$(node_http "$n")" -Etransport.port="$(node_transport "$n")" -Ediscovery.seed_hosts="$seeds")
  if [[ "$n" == 1 ]]; then
    settings+=(-Enode.roles=master,data)
    # bootstrap only a brand-new cluster; a restarted master keeps the cluster it formed
    [[ -n "$(ls -A "$dir/data" 2>/dev/null)" ]] || settings+=(-Ecluster.initial_master_nodes=suqiu-node-1)
  else
    settings+=(-Enode.roles=data)
  fi
  [[ -d "$dir/config" ]] || fresh_run_dir "$dir" "$home"
  launch "$dir" "$CLUSTER_JAVA_OPTS" "$home" "${settings[@]}"
}

# Wait until node N answers and sees the whole cluster (or $2 seconds pass).
node_wait_joined() {
  local n="$1" limit="$2" t0=$SECONDS
  while (( SECONDS - t0 < limit )); do
    curl -fsS --max-time 3 "$(node_url "$n")/_cluster/health?wait_for_nodes=${CLUSTER_NODES}&timeout=2s" \
      >/dev/null 2>&1 && return 0
    sleep 1
  done
  return 1
}

cluster_log_tail() {
  tail -n 40 "$CLUSTER_RUN"/node*/logs/"${CLUSTER_NAME}".log "$CLUSTER_RUN"/node*/launch.out >&2 2>/dev/null || true
}

cluster_start() {
  if cluster_healthy; then
    log "reusing the ${CLUSTER_NODES}-node cluster already green at $(cluster_urls)"
    return 0
  fi
  local t0=$SECONDS zip home n pids=()
  zip="$(download)"
  home="$(unpack "$zip")"
  cluster_stop
  rm -rf "$CLUSTER_RUN"
  log "starting a ${CLUSTER_NODES}-node cluster at $(cluster_urls) (under ${CLUSTER_RUN}, ${CLUSTER_JAVA_OPTS})"
  for n in $(seq 1 "$CLUSTER_NODES"); do
    node_launch "$n" "$home" & pids+=($!)
  done
  for n in "${pids[@]}"; do wait "$n" || { cluster_log_tail; exit 1; }; done
  for _ in $(seq 1 180); do
    if cluster_healthy; then
      log "green with ${CLUSTER_NODES} nodes after $((SECONDS - t0)) s"
      return 0
    fi
    sleep 1
  done
  log "the cluster did not become green in 180 s; log tail:"
  cluster_log_tail
  exit 1
}

node_stop() {
  local n="$1" pidfile="${CLUSTER_RUN}/node$1/es.pid" pid
  [[ -f "$pidfile" ]] || { log "node ${n} is not running (no ${pidfile})"; return 0; }
  pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; log "node ${n} stopped"; return 0; }
    sleep 1
  done
  log "node ${n} (pid ${pid}) did not stop in 60 s"
  exit 1
}

node_start() {
  local n="$1" t0=$SECONDS home
  if [[ -f "${CLUSTER_RUN}/node$1/es.pid" ]] && kill -0 "$(cat "${CLUSTER_RUN}/node$1/es.pid")" 2>/dev/null; then
    log "node ${n} is already running"
  else
    home="$(unpack "$(download)")"
    log "starting node ${n} at $(node_url "$n")"
    node_launch "$n" "$home" || exit 1
  fi
  node_wait_joined "$n" 120 || { log "node ${n} did not join in 120 s; log tail:"; cluster_log_tail; exit 1; }
  log "node ${n} joined after $((SECONDS - t0)) s"
}

cluster_stop() {
  local n
  for n in $(seq 1 "$CLUSTER_NODES"); do
    [[ ! -f "${CLUSTER_RUN}/node${n}/es.pid" ]] || node_stop "$n"
  done
}
