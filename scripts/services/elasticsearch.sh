#!/usr/bin/env bash
# Runs a single-node Elasticsearch for the integration tier and the demo, from Maven Central's
# integ-test distribution (no bundled JDK, minimal modules). Idempotent.
#
#   scripts/services/elasticsearch.sh start  8|9     start (downloads and unpacks on first use)
#   scripts/services/elasticsearch.sh stop   8|9
#   scripts/services/elasticsearch.sh status 8|9     prints url, user, password file; exit 1 if down
#   scripts/services/elasticsearch.sh reset  8|9     stop and delete its data
#   scripts/services/elasticsearch.sh writer 8|9 NAME PASSWORD
#                                                    a user that may create documents in logs-*noread*
#                                                    streams but not read them (the no-read test)
#
# The node listens on 127.0.0.1 only, with a 512 MB heap, security on over plain HTTP (basic auth
# from the file realm; a random password per install in credentials.json), and a write thread pool
# of one thread with a queue of two so that real 429 rejections happen under concurrent bulks.
# Elasticsearch refuses to run as root: as root, the node runs as the system user s3ls-es.
set -euo pipefail
# useradd and runuser live in the sbin folders, which a non-login root shell may not have on PATH.
PATH="$PATH:/usr/sbin:/sbin"

ES8_VERSION=8.19.21
ES9_VERSION=9.2.4
ES8_PORT=39200
ES9_PORT=39201
ES_USER=shipper

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DOWNLOADS="$ROOT/.cache/downloads"
SERVICES="${S3LS_SERVICES_DIR:-$ROOT/.services}"
RUN_AS=s3ls-es

die() { echo "elasticsearch.sh: $*" >&2; exit 1; }

major="${2:-}"
case "$major" in
  # 9.x refuses requests over 4 MB (the function sends up to 5 MiB), so the integration tier meets
  # real 413s from Elasticsearch itself; 8.x keeps the default 100 MB.
  8) version=$ES8_VERSION; port=$ES8_PORT; max_content_length=100mb ;;
  9) version=$ES9_VERSION; port=$ES9_PORT; max_content_length=4mb ;;
  *) die "usage: $0 start|stop|status|reset 8|9" ;;
esac

# When root, the unprivileged user must be able to reach the node's folder; fall back to /var/tmp.
if [[ $(id -u) -eq 0 && -z "${S3LS_SERVICES_DIR:-}" ]]; then
  if ! id -u "$RUN_AS" >/dev/null 2>&1; then
    echo "creating the system user $RUN_AS to run Elasticsearch (it refuses to run as root); remove it when done: userdel $RUN_AS"
    useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_AS"
  fi
  mkdir -p "$SERVICES"
  if ! runuser -u "$RUN_AS" -- test -x "$SERVICES"; then SERVICES=/var/tmp/s3-log-shipper-services; fi
fi
NODE_DIR="$SERVICES/elasticsearch-$version"
HOME_DIR="$NODE_DIR/home"
PID_FILE="$NODE_DIR/elasticsearch.pid"
CREDENTIALS="$NODE_DIR/credentials.json"
URL="http://127.0.0.1:$port"

find_java() {
  # 8.x runs on Java 17; 9.x needs 21+. Prefer JAVA_HOME when it is new enough.
  local need=$1 candidate v
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [[ -n "$candidate" && -x "$candidate/bin/java" ]] || continue
    v=$("$candidate/bin/java" -version 2>&1 | sed -nE 's/.*version "([0-9]+).*/\1/p' | head -1)
    [[ -n "$v" && "$v" -ge "$need" ]] && { echo "$candidate"; return 0; }
  done
  return 1
}

# The node removes its pid file as it exits: read it once, quietly, so a stop never races a cat.
pid() { cat "$PID_FILE" 2>/dev/null; }
running() { local p; p=$(pid) && kill -0 "$p" 2>/dev/null; }

password() { node -e 'console.log(require(process.argv[1]).password)' "$CREDENTIALS"; }

healthy() { curl -fsS -u "$ES_USER:$(password)" "$URL/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; }

# Fetches the zip through Maven (its settings name the repository), printing every 5 s how much
# has arrived in the local repository so a slow first download is not a silent minute.
download() {
  local zip=$1 started=$SECONDS
  local artifact_dir="${MAVEN_LOCAL_REPOSITORY:-$HOME/.m2/repository}/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$version"
  mvn -q -B dependency:copy -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$version:zip" \
    -DoutputDirectory="$DOWNLOADS" -Dmdep.overWriteReleases=false >"$DOWNLOADS/mvn-$version.log" 2>&1 &
  local mvn_pid=$!
  while kill -0 "$mvn_pid" 2>/dev/null; do
    sleep 5
    kill -0 "$mvn_pid" 2>/dev/null || break
    local bytes=0
    [[ -d "$artifact_dir" ]] && bytes=$(du -sb "$artifact_dir" 2>/dev/null | cut -f1)
    echo "  … $((bytes / 1048576)) MB after $((SECONDS - started)) s"
  done
  wait "$mvn_pid" || { tail -20 "$DOWNLOADS/mvn-$version.log" >&2; die "could not download Elasticsearch $version (Maven output: $DOWNLOADS/mvn-$version.log)"; }
  echo "downloaded $(( $(stat -c %s "$zip") / 1048576 )) MB in $((SECONDS - started)) s"
}

install() {
  [[ -x "$HOME_DIR/bin/elasticsearch" ]] && return 0
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Elasticsearch from Maven Central"
  local zip="$DOWNLOADS/elasticsearch-$version.zip"
  if [[ ! -f "$zip" ]]; then
    mkdir -p "$DOWNLOADS"
    echo "downloading Elasticsearch $version (integ-test-zip) from Maven Central (first run only)…"
    download "$zip"
  fi
  echo "unpacking Elasticsearch $version…"
  rm -rf "$NODE_DIR.tmp" && mkdir -p "$NODE_DIR.tmp"
  (cd "$NODE_DIR.tmp" && unzip -q "$zip")
  mkdir -p "$NODE_DIR"
  rm -rf "$HOME_DIR" && mv "$NODE_DIR.tmp/elasticsearch-$version" "$HOME_DIR" && rm -rf "$NODE_DIR.tmp"
  local pw
  pw=$(node -e 'console.log(require("crypto").randomBytes(18).toString("base64url"))')
  printf '{"url":"%s","username":"%s","password":"%s","version":"%s"}\n' "$URL" "$ES_USER" "$pw" "$version" >"$CREDENTIALS"
  chmod 600 "$CREDENTIALS"
  local java; java=$(find_java 17) || die "no Java 17+ found"
  ES_JAVA_HOME="$java" "$HOME_DIR/bin/elasticsearch-users" useradd "$ES_USER" -p "$pw" -r superuser >/dev/null
}

start() {
  if running && healthy; then echo "Elasticsearch $version already running at $URL"; return 0; fi
  local need=17; [[ "$major" == 9 ]] && need=21
  local java; java=$(find_java "$need") || die "Elasticsearch $version needs Java $need+; none found (set JAVA_HOME)"
  command -v curl >/dev/null || die "curl is needed"
  install
  mkdir -p "$NODE_DIR/data" "$NODE_DIR/logs" "$NODE_DIR/tmp"
  cat >"$HOME_DIR/config/elasticsearch.yml" <<YAML
cluster.name: s3ls-test-$major
node.name: s3ls-$major
network.host: 127.0.0.1
http.port: $port
transport.port: $((port + 100))
discovery.type: single-node
path.data: $NODE_DIR/data
path.logs: $NODE_DIR/logs
cluster.routing.allocation.disk.threshold_enabled: false
xpack.security.enabled: true
xpack.security.http.ssl.enabled: false
xpack.security.transport.ssl.enabled: false
thread_pool.write.size: 1
thread_pool.write.queue_size: 2
action.destructive_requires_name: false
http.max_content_length: $max_content_length
YAML
  local started=$SECONDS
  echo "starting Elasticsearch $version (Java $("$java/bin/java" -version 2>&1 | sed -nE 's/.*version "([0-9]+).*/\1/p' | head -1))…"
  local -a launch=(env "ES_JAVA_HOME=$java" "ES_TMPDIR=$NODE_DIR/tmp" "ES_JAVA_OPTS=-Xms512m -Xmx512m -XX:-HeapDumpOnOutOfMemoryError" "$HOME_DIR/bin/elasticsearch" -d -p "$PID_FILE")
  if [[ $(id -u) -eq 0 ]]; then
    chown -R "$RUN_AS" "$NODE_DIR"
    runuser -u "$RUN_AS" -- "${launch[@]}" >"$NODE_DIR/start.log" 2>&1 || { tail -30 "$NODE_DIR/start.log" >&2; die "start failed"; }
  else
    "${launch[@]}" >"$NODE_DIR/start.log" 2>&1 || { tail -30 "$NODE_DIR/start.log" >&2; die "start failed"; }
  fi
  for _ in $(seq 1 180); do
    if healthy; then echo "Elasticsearch $version up at $URL in $((SECONDS - started)) s"; return 0; fi
    running || { tail -40 "$NODE_DIR/logs/"*.log "$NODE_DIR/start.log" 2>/dev/null >&2; die "Elasticsearch $version exited during start"; }
    sleep 1
  done
  die "Elasticsearch $version did not become healthy in 180 s (logs: $NODE_DIR/logs)"
}

# Waits on the process itself, not on its pid file: the node removes that file while it shuts down,
# before it has let go of its HTTP port, and a start right after then failed with "Address already
# in use" (seen in the outage scenario, which stops and restarts the node).
stop() {
  local p
  if p=$(pid) && kill -0 "$p" 2>/dev/null; then
    kill "$p" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 1; done
    if kill -0 "$p" 2>/dev/null; then kill -9 "$p" 2>/dev/null || true; fi
    for _ in $(seq 1 10); do kill -0 "$p" 2>/dev/null || break; sleep 1; done
    echo "Elasticsearch $version stopped"
  fi
  rm -f "$PID_FILE"
}

# A file-realm user (the test distribution cannot hold native users: its security index needs the
# analysis module it leaves out) with create_doc and auto_configure on logs-*noread*, no read.
writer() {
  local name="${3:-}" pw="${4:-}"
  [[ -n "$name" && -n "$pw" ]] || die "usage: $0 writer 8|9 NAME PASSWORD"
  running || die "Elasticsearch $version is not running"
  grep -q '^s3ls_writer_only:' "$HOME_DIR/config/roles.yml" || cat >>"$HOME_DIR/config/roles.yml" <<'YAML'

s3ls_writer_only:
  indices:
    - names: ["logs-*noread*"]
      privileges: ["create_doc", "auto_configure"]
YAML
  local need=17; [[ "$major" == 9 ]] && need=21
  local java; java=$(find_java "$need") || die "no Java $need+ found"
  ES_JAVA_HOME="$java" "$HOME_DIR/bin/elasticsearch-users" userdel "$name" >/dev/null 2>&1 || true
  ES_JAVA_HOME="$java" "$HOME_DIR/bin/elasticsearch-users" useradd "$name" -p "$pw" -r s3ls_writer_only >/dev/null
  if [[ $(id -u) -eq 0 ]]; then chown -R "$RUN_AS" "$HOME_DIR/config"; fi
  # The file realm reads its files again every few seconds.
  for _ in $(seq 1 60); do
    curl -sf -u "$name:$pw" "$URL/_security/_authenticate" >/dev/null && return 0
    sleep 1
  done
  die "the file realm did not take user $name in 60 s"
}

case "${1:-}" in
  writer) writer "$@" ;;
  start) start ;;
  stop) stop ;;
  reset) stop; rm -rf "$NODE_DIR/data" ;;
  status)
    if running && healthy; then printf '{"running":true,"url":"%s","credentialsFile":"%s","version":"%s"}\n' "$URL" "$CREDENTIALS" "$version"; else
      printf '{"running":false,"url":"%s","credentialsFile":"%s","version":"%s"}\n' "$URL" "$CREDENTIALS" "$version"; exit 1; fi ;;
  *) die "usage: $0 start|stop|status|reset 8|9" ;;
esac
