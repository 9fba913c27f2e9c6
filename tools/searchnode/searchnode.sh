#!/usr/bin/env bash
# searchnode.sh start|stop|status|url
#
# Runs a real single-node Elasticsearch on 127.0.0.1 for tests, built only from Maven Central
# artifacts (no release archive, no container image). See README.md in this directory.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
es_version=$(sed -n 's:.*<elasticsearch.version>\(.*\)</elasticsearch.version>.*:\1:p' "$here/pom.xml")
cache=${SEARCHNODE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/listingscan/searchnode}
dist="$cache/elasticsearch-$es_version"
state="$cache/run"
timeout_s=${SEARCHNODE_TIMEOUT:-180}
heap=${SEARCHNODE_HEAP:-1g}
run_user=${SEARCHNODE_USER:-nobody}
main_class=org.elasticsearch.bootstrap.Elasticsearch

log() { printf 'searchnode: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || die "required command not found: $c"
	done
}

# java_major prints the feature release of a java binary (17, 21, ...), or nothing.
java_major() {
	"$1" -XshowSettings:properties -version 2>&1 |
		sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}

# pick_java prints a java binary that can run this server: it installs the Java security
# manager, which JDK 24 and later refuse, and needs at least JDK 17.
pick_java() {
	local c m
	if [[ -n ${SEARCHNODE_JAVA:-} ]]; then
		m=$(java_major "$SEARCHNODE_JAVA")
		[[ -n $m && $m -ge 17 && $m -le 23 ]] ||
			die "SEARCHNODE_JAVA=$SEARCHNODE_JAVA is Java '${m:-?}'; Elasticsearch $es_version needs Java 17 to 23"
		echo "$SEARCHNODE_JAVA"
		return
	fi
	for c in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
		[[ -n $c && -x $c ]] || continue
		m=$(java_major "$c")
		if [[ -n $m && $m -ge 17 && $m -le 23 ]]; then
			echo "$c"
			return
		fi
	done
	die "no Java 17 to 23 found (set SEARCHNODE_JAVA); Elasticsearch $es_version needs the security manager, which JDK 24+ removed"
}

# ensure_dist lays out lib/ and modules/ of an Elasticsearch home in the cache, once.
ensure_dist() {
	[[ -f $dist/.complete ]] && return
	need mvn
	local java=$1 stage f javac
	javac="$(dirname "$(readlink -f "$java")")/javac"
	[[ -x $javac ]] || die "javac not found next to $java (a JDK, not a JRE, is needed once to build the launcher helper)"
	mkdir -p "$cache"
	stage=$(mktemp -d "$cache/.stage.XXXXXX")
	log "resolving Elasticsearch $es_version from Maven Central into $dist"
	if ! mvn -B -q -f "$here/pom.xml" \
		org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
		-DoutputDirectory="$stage/jars" -DincludeScope=runtime >"$stage/mvn.log" 2>&1; then
		tail -n 40 "$stage/mvn.log" >&2
		rm -rf "$stage"
		die "maven could not resolve the Elasticsearch artifacts"
	fi
	mkdir -p "$stage/lib/tools/ansi-console" "$stage/modules/transport-netty4" "$stage/helper"
	for f in "$stage"/jars/*.jar; do
		case ${f##*/} in
		transport-netty4-* | netty-* | elasticsearch-ssl-config-*) mv "$f" "$stage/modules/transport-netty4/" ;;
		*) mv "$f" "$stage/lib/" ;;
		esac
	done
	rmdir "$stage/jars"
	[[ -f $stage/lib/elasticsearch-$es_version.jar && -f $stage/modules/transport-netty4/transport-netty4-$es_version.jar ]] ||
		die "unexpected artifact set in $stage"

	cat >"$stage/modules/transport-netty4/plugin-descriptor.properties" <<EOF
name=transport-netty4
description=Netty 4 based HTTP and transport layer
version=$es_version
elasticsearch.version=$es_version
java.version=17
classname=org.elasticsearch.transport.netty4.Netty4Plugin
modulename=org.elasticsearch.transport.netty4
extended.plugins=
has.native.controller=false
EOF
	cat >"$stage/modules/transport-netty4/plugin-security.policy" <<'EOF'
grant {
  permission java.net.SocketPermission "*", "accept,connect";
  permission java.lang.RuntimePermission "setContextClassLoader";
  permission java.util.PropertyPermission "sun.nio.ch.bugLevel", "write";
  permission java.io.FilePermission "/proc/sys/net/core/somaxconn", "read";
};
EOF
	"$javac" --release 17 -nowarn -d "$stage/helper/ansi" "$here/java/org/elasticsearch/io/ansi/AnsiConsoleLoader.java"
	(cd "$stage/helper/ansi" && "$(dirname "$javac")/jar" cf "$stage/lib/tools/ansi-console/ansi-console.jar" .)
	rm -rf "$stage/helper/ansi"
	"$javac" --release 17 -nowarn -cp "$stage/lib/*" -d "$stage/helper" "$here/java/ServerArgsWriter.java"

	rm -rf "$dist"
	touch "$stage/.complete"
	mv "$stage" "$dist"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
	local p
	if [[ -n ${SEARCHNODE_PORT:-} ]]; then
		port_in_use "$SEARCHNODE_PORT" && die "SEARCHNODE_PORT=$SEARCHNODE_PORT is already in use on 127.0.0.1"
		echo "$SEARCHNODE_PORT"
		return
	fi
	for p in $(seq 9200 9299); do
		port_in_use "$p" || {
			echo "$p"
			return
		}
	done
	die "no free port in 9200-9299 on 127.0.0.1 (set SEARCHNODE_PORT)"
}

# running succeeds when the recorded pid is alive and is this server.
running() {
	local pid
	[[ -f $state/pid ]] || return 1
	pid=$(<"$state/pid")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$main_class"
}

health_status() {
	curl -s -m 3 "$1/_cluster/health?wait_for_status=yellow&timeout=1s" 2>/dev/null |
		sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' || true
}

# remove_workdir deletes a work directory this script created, and nothing else.
remove_workdir() {
	local w=$1
	[[ -n $w && ${w##*/} == searchnode.* && -d $w ]] || return 0
	if [[ ${SEARCHNODE_KEEP_WORKDIR:-0} == 1 ]]; then
		log "keeping $w"
		return 0
	fi
	rm -rf -- "$w"
}

kill_node() {
	local pid=$1 _
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 60); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.5
	done
	log "pid $pid did not stop after 30 s; killing"
	kill -KILL "$pid" 2>/dev/null || true
	sleep 0.5
}

# lock serialises start and stop (and the one-time download) between callers sharing a cache.
lock() {
	mkdir -p "$cache"
	command -v flock >/dev/null 2>&1 || return 0
	exec 9>"$cache/.lock"
	flock -w 900 9 || die "timed out waiting for $cache/.lock"
}

clear_state() { rm -f "$state/pid" "$state/url" "$state/workdir"; }

start_failed() {
	local msg=$1 pid=$2 work=$3 f
	log "$msg"
	for f in "$work/logs/searchnode.log" "$work/logs/console.log"; do
		[[ -s $f ]] || continue
		log "last lines of $f:"
		tail -n 40 "$f" >&2
	done
	kill_node "$pid"
	clear_state
	remove_workdir "$work"
	exit 1
}

cmd_start() {
	need curl setsid
	lock
	if running; then
		cat "$state/url"
		return
	fi
	# A node that died on its own leaves its work dir behind.
	remove_workdir "$(cat "$state/workdir" 2>/dev/null || true)"
	clear_state
	local java port work url pid group deadline s0 st
	s0=$(date +%s.%N)
	java=$(pick_java)
	ensure_dist "$java"
	port=$(pick_port)
	url="http://127.0.0.1:$port"

	local parent=${SEARCHNODE_WORKDIR:-${TMPDIR:-/tmp}}
	mkdir -p "$parent"
	work=$(mktemp -d "$parent/searchnode.XXXXXX")
	chmod 755 "$work"
	mkdir -p "$work/config" "$work/data" "$work/logs" "$work/tmp" "$work/bin" "$work/plugins"
	# Hard links cost nothing; copies are the fallback across file systems. Either way the
	# server user needs no access to the cache, which may sit in root's home.
	if ! cp -al "$dist/lib" "$dist/modules" "$work/" 2>/dev/null; then
		rm -rf "${work:?}/lib" "${work:?}/modules"
		cp -a "$dist/lib" "$dist/modules" "$work/"
	fi
	cp "$here/config/elasticsearch.yml" "$here/config/log4j2.properties" "$work/config/"

	local -a as_user=()
	if [[ $(id -u) == 0 ]]; then
		# Elasticsearch refuses to run as root and has no switch to allow it.
		need setpriv
		id "$run_user" >/dev/null 2>&1 || die "SEARCHNODE_USER=$run_user does not exist"
		group=$(id -gn "$run_user")
		chown -R "$run_user:$group" "$work/data" "$work/logs" "$work/tmp"
		as_user=(setpriv --reuid="$run_user" --regid="$group" --clear-groups)
	fi

	"$java" -cp "$dist/helper:$work/lib/*" ServerArgsWriter "$work" "$work/tmp/elasticsearch.pid" "$work/args.bin" \
		"http.port=$port" "path.data=$work/data" "path.logs=$work/logs" >"$work/logs/args.log" 2>&1 ||
		{
			cat "$work/logs/args.log" >&2
			remove_workdir "$work"
			die "could not prepare the server arguments"
		}

	# C1-only compilation roughly halves start-up on a busy two-core machine; a test node never
	# runs long enough to profit from C2. SEARCHNODE_JAVA_OPTS comes last and can override it.
	local -a jvm=(
		-Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -Xss1m -XX:TieredStopAtLevel=1
		-XX:-OmitStackTraceInFastThrow -XX:ErrorFile="$work/logs/hs_err_pid%p.log"
		-Djava.awt.headless=true -Dfile.encoding=UTF-8 -Djava.locale.providers=CLDR
		-Djava.io.tmpdir="$work/tmp" -Djna.tmpdir="$work/tmp" -Djna.nosys=true
		-Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true -Dio.netty.recycler.maxCapacityPerThread=0
		-Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true -Dlog4j2.formatMsgNoLookups=true
		-Des.path.home="$work" -Des.path.conf="$work/config" -Des.distribution.type=tar
	)
	# shellcheck disable=SC2206 # word splitting of user-supplied JVM options is intended
	[[ -n ${SEARCHNODE_JAVA_OPTS:-} ]] && jvm+=($SEARCHNODE_JAVA_OPTS)

	(
		cd "$work"
		exec 9>&- # the server must not hold the cache lock
		export LIBFFI_TMPDIR="$work/tmp"
		exec setsid "${as_user[@]}" "$java" "${jvm[@]}" \
			--module-path "$work/lib" --add-modules=jdk.net --add-modules=ALL-MODULE-PATH \
			-m "org.elasticsearch.server/$main_class" \
			<"$work/args.bin" >"$work/logs/console.log" 2>&1
	) &
	pid=$!
	mkdir -p "$state"
	echo "$pid" >"$state/pid"
	echo "$url" >"$state/url"
	echo "$work" >"$state/workdir"

	deadline=$((SECONDS + timeout_s))
	while :; do
		kill -0 "$pid" 2>/dev/null || start_failed "Elasticsearch exited during start-up" "$pid" "$work"
		st=$(health_status "$url")
		[[ $st == green || $st == yellow ]] && break
		((SECONDS < deadline)) || start_failed "Elasticsearch not healthy after ${timeout_s}s at $url" "$pid" "$work"
		sleep 0.5
	done
	log "Elasticsearch $es_version is $st at $url (pid $pid, $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $s0}") s, work dir $work)"
	echo "$url"
}

cmd_stop() {
	local pid work
	lock
	work=$(cat "$state/workdir" 2>/dev/null || true)
	if running; then
		pid=$(<"$state/pid")
		kill_node "$pid"
		log "stopped pid $pid"
	else
		log "not running"
	fi
	clear_state
	remove_workdir "$work"
}

cmd_status() {
	local url
	if ! running; then
		echo "not running"
		exit 3
	fi
	url=$(<"$state/url")
	echo "$url pid $(<"$state/pid") work dir $(<"$state/workdir")"
	curl -sS -m 5 "$url/_cluster/health?pretty" || exit 1
}

cmd_url() {
	running || die "not running"
	cat "$state/url"
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
url) cmd_url ;;
*)
	echo "usage: $0 start|stop|status|url" >&2
	exit 2
	;;
esac
