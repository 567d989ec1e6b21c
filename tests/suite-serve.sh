#!/bin/sh
# `lumbar serve` end to end: runs $LUMBAR serve on a copy of the bundled site
# (127.0.0.1, a port the kernel picks) and talks to it with curl: pages,
# MIME types, 404, HEAD, ETag/304, the reload snippet (in responses, never on
# disk), server-sent events on edit, on a broken build and on its fix, the
# error overlay, traversal attempts, foreign Host headers, redirects to other
# hosts, a flood of idle connections, the base path, a taken port, and a clean
# stop on SIGINT with an event stream still open. Every wait is bounded.
cd "$(dirname "$0")/.." || exit 2
passed=0
failed=0
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s\n' "$1"; }
check() { # check NAME COMMAND...: one line per check
    name=$1
    shift
    if "$@"; then ok "$name"; else fail "$name"; fi
}
finish() {
    echo "serve: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

if ! command -v curl >/dev/null 2>&1; then
    fail "curl is needed (make deps installs it)"
    finish
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lumbar-suite-serve.XXXXXX") || exit 2
server_pid=
sse_pid=
idle_pid=
cleanup() {
    for pid in $sse_pid $idle_pid $server_pid; do
        kill "$pid" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

site=$work/site
mkdir -p "$site" "$work/tmp"
cp -R config.ini content layouts assets "$site/"
# A marker no response may ever contain: config.ini lives outside the output.
secret=serve-suite-secret-7f3a9c
printf '; %s\n' "$secret" >>"$site/config.ini"
export SOURCE_DATE_EPOCH=1795478400

# wait_for FILE PATTERN SECONDS: true once FILE has a line matching PATTERN.
wait_for() {
    tries=$(($3 * 10))
    while [ "$tries" -gt 0 ]; do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}

# wait_count FILE PATTERN N SECONDS: true once N lines of FILE match.
wait_count() {
    tries=$(($4 * 10))
    while [ "$tries" -gt 0 ]; do
        [ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}

# The server's build thread (the main thread) as /proc shows it: how many
# read calls it has made, and whether it waits in poll with no timeout, which
# it does only when it has no change pending and no build running.
server_reads() {
    sed -n 's/^syscr: //p' "/proc/$server_pid/task/$server_pid/io" 2>/dev/null
}
server_waits_idle() { # poll(fds, 2, -1), or ppoll(fds, 2, NULL, ...)
    set -- $(cat "/proc/$server_pid/task/$server_pid/syscall" 2>/dev/null)
    [ "${3-}" = 0x2 ] && { [ "$4" = 0xffffffff ] || [ "$4" = 0xffffffffffffffff ] || [ "$4" = 0x0 ]; }
}
# server_settled READS SECONDS: true once the build thread has read again
# since it had made READS reads (so it took in every change made before)
# and waits idle again (so any build those changes caused is done).
server_settled() {
    tries=$(($2 * 10))
    while [ "$tries" -gt 0 ]; do
        now=$(server_reads)
        [ -n "$now" ] && [ "$now" -gt "$1" ] && server_waits_idle && return 0
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}

# start_server NAME ARGS...: runs serve in the background; sets server_pid and
# base (the URL it prints). False when it does not come up in 30 s.
start_server() {
    log=$work/$1
    shift
    TMPDIR=$work/tmp "$LUMBAR" serve -s "$site" --bind 127.0.0.1 --port 0 -j 2 "$@" >"$log.out" 2>"$log.err" &
    server_pid=$!
    wait_for "$log.out" 'serving http://' 30 || return 1
    base=$(sed -n 's|^lumbar: serving \(http://127\.0\.0\.1:[0-9]*/[^ ]*\) .*|\1|p' "$log.out" | head -n 1)
    port=$(printf '%s\n' "$base" | sed 's|http://127\.0\.0\.1:\([0-9]*\)/.*|\1|')
    origin=http://127.0.0.1:$port
    [ -n "$port" ]
}

# stop_server SIGNAL: then at most 10 s for a clean exit; sets stop_status.
stop_server() {
    kill -"$1" "$server_pid" 2>/dev/null
    tries=100
    while kill -0 "$server_pid" 2>/dev/null && [ "$tries" -gt 0 ]; do
        sleep 0.1
        tries=$((tries - 1))
    done
    if kill -0 "$server_pid" 2>/dev/null; then
        kill -KILL "$server_pid" 2>/dev/null
        stop_status=hung
    else
        wait "$server_pid"
        stop_status=$?
    fi
    server_pid=
}

get() { # get URL [curl args...]: body to $work/body, headers to $work/headers
    url=$1
    shift
    rm -f "$work/body" "$work/headers"
    curl -s -m 10 --path-as-is -D "$work/headers" -o "$work/body" -w '%{size_download}' "$@" "$url" >"$work/size"
    touch "$work/body" "$work/headers"
}
size() { cat "$work/size"; }
status() { sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$work/headers"; }
header() { grep -i "^$1:" "$work/headers" | head -n 1 | sed 's/^[^:]*: *//' | tr -d '\r'; }
body_has() { grep -q -- "$1" "$work/body"; }
body_lacks() { ! grep -q -- "$1" "$work/body"; }

if ! start_server main; then
    fail "serve starts and prints its URL"
    cat "$work/main.out" "$work/main.err"
    finish
fi
ok "serve starts and prints its URL ($base)"
out_dir=$(find "$work/tmp" -mindepth 2 -maxdepth 2 -type d -name site | head -n 1)
# An idle connection (half a request, then nothing) must be closed by the
# server's timeout; checked near the end, so the wait overlaps other checks.
python3 - "$port" >"$work/idle" 2>&1 <<'EOF_IDLE' &
import socket, sys, time
sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
sock.sendall(b"GET / HTTP/1.1\r\n")
sock.settimeout(40)
start = time.monotonic()
try:
    while sock.recv(4096):
        pass
    print("closed after %d s" % (time.monotonic() - start))
except socket.timeout:
    print("still open after 40 s")
EOF_IDLE
idle_pid=$!
check "builds into a private folder under \$TMPDIR" test -f "$out_dir/index.html"
check "never writes the site's public/" test ! -e "$site/public"

# Pages, types, 404, HEAD.
get "$base"
check "home: 200 text/html" test "$(status) $(header Content-Type)" = "200 text/html; charset=utf-8"
check "home: has the reload snippet" body_has '<script id="lumbar-live">.*/__lumbar/events'
check "home: snippet before </body>" sh -c "tr -d '\n' <'$work/body' | grep -q 'lumbar-live.*</script></body>'"
check "home on disk: no snippet" sh -c "! grep -q 'lumbar-live\|__lumbar' '$out_dir/index.html'"
get "${base}css/site.css"
check "css: 200 text/css" test "$(status) $(header Content-Type)" = "200 text/css; charset=utf-8"
check "css: no snippet" body_lacks 'lumbar-live'
get "${base}js/search.js"
check "js: text/javascript" test "$(header Content-Type)" = "text/javascript; charset=utf-8"
get "${base}search.json"
check "json: application/json" test "$(header Content-Type)" = "application/json"
get "${base}sitemap.xml"
check "xml: application/xml" test "$(header Content-Type)" = "application/xml"
get "${base}robots.txt"
check "txt: text/plain" test "$(header Content-Type)" = "text/plain; charset=utf-8"
get "${base}no/such/page/"
check "missing page: 404" test "$(status)" = 404
check "missing page: the site's 404.html, with the snippet" sh -c "
    title=\$(grep -o '<title>[^<]*</title>' '$out_dir/404.html') &&
    grep -qF \"\$title\" '$work/body' && grep -q lumbar-live '$work/body'"
get "${base}causes"
check "folder without slash: 301 to the slash" test "$(status) $(header Location)" = "301 /causes/"
get "${base}causes/"
check "folder: its index.html" test "$(status) $(header Content-Type)" = "200 text/html; charset=utf-8"
get "${base}css/site.css" -I
check "HEAD: 200, Content-Length, no body" \
    test "$(status) $(header Content-Length) $(size)" = "200 $(wc -c <"$out_dir/css/site.css" | tr -d ' ') 0"
get "$base" -X POST -d x=1
check "POST: 405 with Allow" test "$(status) $(header Allow)" = "405 GET, HEAD"
get "${origin}/__lumbar/nothing"
check "/__lumbar/ is private: 404 for unknown names" test "$(status)" = 404

# Validators.
get "${base}css/site.css"
etag=$(header ETag)
check "css: has an ETag" test -n "$etag"
get "${base}css/site.css" -H "If-None-Match: $etag"
check "css: If-None-Match gives 304" test "$(status) $(size)" = "304 0"
get "$base"
page_etag=$(header ETag)
get "$base" -H "If-None-Match: $page_etag"
check "home: If-None-Match gives 304" test "$(status)" = 304
get "$base" -H 'If-None-Match: "something-else"'
check "home: another ETag gives 200" test "$(status)" = 200

# Live reload: an edit sends `event: reload` to an open event stream.
curl -s -N -m 120 "${origin}/__lumbar/events" >"$work/events" 2>/dev/null &
sse_pid=$!
check "event stream: says hello" wait_for "$work/events" '^event: hello' 10
article=content/causes/weak-core.md
cp "$site/$article" "$work/article.good"
printf '\nServe suite edit %s.\n' "$secret-edit" >>"$site/$article"
check "edit: event: reload within 10 s" wait_count "$work/events" '^event: reload' 1 10
get "${base}causes/weak-core/"
check "edit: the page shows the edit" body_has "Serve suite edit"
get "$base" -H "If-None-Match: $page_etag"
check "edit: the old home ETag no longer matches" test "$(status)" = 200

# A broken build: diagnostics as an event and as an overlay; last good site stays.
line=$(grep -n '^date:' "$site/$article" | head -n 1 | cut -d: -f1)
sed 's|^date: .*|date: <b>broken</b>|' "$work/article.good" >"$site/$article.new"
mv "$site/$article.new" "$site/$article"
check "broken: event: errors within 10 s" wait_for "$work/events" '^event: errors' 10
check "broken: the event names $article:$line:7" sh -c "grep '^data: ' '$work/events' | grep -q '$article:$line:7: error'"
check "broken: the event carries no raw markup from the message" sh -c "! grep '^data: ' '$work/events' | grep -q '<b>broken'"
check "broken: the terminal shows the diagnostic" wait_for "$work/main.err" "$article:$line:7: error" 5
get "${base}causes/weak-core/"
check "broken: a page loaded now is the last good build" sh -c "[ '$(status)' = 200 ] && grep -q 'Serve suite edit' '$work/body'"
check "broken: ... with the overlay" body_has '<div id="lumbar-overlay"'
check "broken: ... listing $article:$line:7" body_has "$article:$line:7: error"
check "broken: ... escaped" sh -c "grep -q '&lt;b&gt;broken&lt;/b&gt;' '$work/body' && ! grep -q '<b>broken' '$work/body'"
check "broken: ... dismissable" body_has 'id="lumbar-overlay-close"'
check "broken: nothing on disk changed" sh -c "grep -q 'Serve suite edit' '$out_dir/causes/weak-core/index.html' && ! grep -q lumbar-overlay '$out_dir/causes/weak-core/index.html'"

cp "$work/article.good" "$site/$article"
check "fixed: event: reload within 10 s" wait_count "$work/events" '^event: reload' 2 10
get "${base}causes/weak-core/"
check "fixed: the overlay is gone" body_lacks '<div id="lumbar-overlay"'
check "fixed: the page is the fixed one" body_lacks "Serve suite edit"

# Editor noise does not rebuild: once the server has read the events and
# waits idle again, no build has been logged (a build would have been, before
# the server went back to waiting).
check "before the noise: the server waits idle" server_settled -1 10
reads=$(server_reads)
builds=$(grep -c '^lumbar: rebuilt' "$work/main.out")
reloads=$(grep -c '^event: reload' "$work/events")
: >"$site/content/causes/.weak-core.md.swp"
: >"$site/content/causes/weak-core.md~"
: >"$site/content/causes/4913"
check "swap and backup files: read, and the server idle again" server_settled "${reads:-0}" 10
check "swap and backup files: no rebuild" test "$(grep -c '^lumbar: rebuilt' "$work/main.out")" = "$builds"
check "swap and backup files: no reload" test "$(grep -c '^event: reload' "$work/events")" = "$reloads"
rm -f "$site/content/causes/.weak-core.md.swp" "$site/content/causes/weak-core.md~" "$site/content/causes/4913"
# A new folder is watched too: a file written into it later rebuilds.
mkdir -p "$site/assets/extra/deeper"
wait_count "$work/events" '^event: reload' $((reloads + 1)) 10
reloads=$(grep -c '^event: reload' "$work/events")
printf 'hello from a new folder\n' >"$site/assets/extra/deeper/note.txt"
check "new subfolder: watched, rebuilt" wait_count "$work/events" '^event: reload' $((reloads + 1)) 10
get "${base}extra/deeper/note.txt"
check "new subfolder: its file is served" body_has 'hello from a new folder'

# Nothing outside the output folder, whatever the URL says.
ln -s "$site/config.ini" "$out_dir/link-out.txt"
ln -s "$site" "$out_dir/dir-out"
# Deep enough to reach / from the private output, then down to the site.
up=/../../../../../../../../../../../..
up_enc=$(printf '%s' "$up" | sed 's|\.\.|%2e%2e|g')
up_slash=$(printf '%s' "$up" | sed 's|/|%2f|g')
for path in '/../config.ini' '/%2e%2e/config.ini' '/%2E%2E/config.ini' '/..%2fconfig.ini' '/..%2Fconfig.ini' \
    '/css/..%2f..%2fconfig.ini' '/css/%2e%2e/%2e%2e/config.ini' '/%2e%2e%2f%2e%2e%2fconfig.ini' \
    '/..\config.ini' '/%5c..%5cconfig.ini' '/css/..%5c..%5cconfig.ini' '/config.ini%00.css' \
    '/%00/../config.ini' '/link-out.txt' '/dir-out/config.ini' '/dir-out/' '/./config.ini' '//../config.ini' \
    "$up$site/config.ini" "$up_enc$site/config.ini" "/css$up_slash$site/config.ini" \
    "/$(printf '%s' "$up$site/config.ini" | cut -c2- | tr / '\\')"; do
    get "${origin}$path"
    code=$(status)
    check "traversal $path: $code, not the file" sh -c "
        { [ '$code' = 400 ] || [ '$code' = 404 ]; } && ! grep -q '$secret' '$work/body'"
done
rm -f "$out_dir/link-out.txt" "$out_dir/dir-out"

# DNS rebinding: a page on another site whose name points at 127.0.0.1
# arrives with that name in Host; only our own names are answered.
for host in "evil.example:$port" evil.example "localhost.evil.example:$port" "127.0.0.1.evil.example:$port" \
    "localhost:$((port + 1))" "127.0.0.1:$((port + 1))" "127.0.0.2:$port" "[::1]:$port" "localhost:${port}x" \
    "localhost:$port:$port"; do
    get "$base" -H "Host: $host"
    code=$(status)
    check "Host $host: refused ($code), not the site" sh -c "
        { [ '$code' = 421 ] || [ '$code' = 403 ]; } && ! grep -q '<html' '$work/body'"
done
get "$base" -0 -H 'Host:'
check "no Host header (HTTP/1.0): refused" test "$(status)" = 421
get "${origin}/__lumbar/events" -m 3 -H "Host: evil.example:$port"
check "Host evil.example: no event stream either" test "$(status)" = 421
for host in "localhost:$port" "LocalHost:$port" "127.0.0.1:$port"; do
    get "$base" -H "Host: $host"
    check "Host $host: served" test "$(status)" = 200
done

# No open redirect: a path that starts with two slashes (or what a browser
# reads as two) never becomes a Location to another host.
mkdir "$out_dir/evil.example"
for path in '//evil.example' '//evil.example/..' '///evil.example' '/%2fevil.example' '/%2F%2Fevil.example' \
    '/\evil.example' '/%5cevil.example' '/%5C/evil.example' '//causes'; do
    get "${origin}$path"
    location=$(header Location)
    check "redirect $path: Location '$location' stays on this host" sh -c "
        case '$location' in //* | '/\\'* | *://*) exit 1 ;; esac"
done
get "${origin}//causes"
check "redirect //causes: to /causes/" test "$(status) $(header Location)" = "301 /causes/"
rmdir "$out_dir/evil.example"

# A flood of idle connections from another address (127.0.0.2 is loopback
# too) does not lock the editor's browser out: each address gets a few
# connections, and the editor's request is answered at once.
python3 - "$port" >"$work/flood" 2>&1 <<'EOF_FLOOD'
import socket, subprocess, sys, time
port = int(sys.argv[1])
held, refused = [], 0
deadline = time.monotonic() + 30
while len(held) + refused < 1100 and time.monotonic() < deadline:
    sock = socket.socket()
    sock.settimeout(1)
    try:
        sock.bind(("127.0.0.2", 0))
        sock.connect(("127.0.0.1", port))
        sock.sendall(b"GET / HTTP/1.1\r\n")
        held.append(sock)
    except OSError:
        refused += 1
        sock.close()
time.sleep(0.5)
result = subprocess.run(["curl", "-s", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}",
                         "http://127.0.0.1:%d/" % port], capture_output=True, text=True)
print("opened %d (%d refused); editor got %s" % (len(held), refused, result.stdout))
for sock in held:
    sock.close()
EOF_FLOOD
check "1,100 idle connections from 127.0.0.2: the editor still gets 200 ($(cat "$work/flood"))" \
    grep -q 'editor got 200$' "$work/flood"

# The idle connection opened at the start was closed by the server.
tries=400
while kill -0 "$idle_pid" 2>/dev/null && [ "$tries" -gt 0 ]; do
    sleep 0.1
    tries=$((tries - 1))
done
kill "$idle_pid" 2>/dev/null
idle_secs=$(sed -n 's/^closed after \([0-9]*\) s$/\1/p' "$work/idle")
check "an idle connection is closed within 20 s ($(cat "$work/idle"))" sh -c "[ -n '$idle_secs' ] && [ '$idle_secs' -le 20 ]"
idle_pid=

# A taken port is an error, status 1.
TMPDIR=$work/tmp "$LUMBAR" serve -s "$site" --bind 127.0.0.1 --port "$port" >"$work/taken.out" 2>"$work/taken.err" &
taken_pid=$!
tries=100
while kill -0 "$taken_pid" 2>/dev/null && [ "$tries" -gt 0 ]; do
    sleep 0.1
    tries=$((tries - 1))
done
if kill -0 "$taken_pid" 2>/dev/null; then
    kill -KILL "$taken_pid"
    fail "taken port: exits"
else
    wait "$taken_pid"
    taken_status=$?
    check "taken port: exit status 1 with a message" sh -c "[ '$taken_status' = 1 ] && grep -q 'port' '$work/taken.err'"
fi

# SIGINT with an event stream open: a clean, prompt stop.
stop_server INT
check "SIGINT: exits 0 within 10 s with a stream open" test "$stop_status" = 0
check "SIGINT: the private folder is removed" sh -c "[ -z \"\$(ls -A '$work/tmp')\" ]"
tries=50
while kill -0 "$sse_pid" 2>/dev/null && [ "$tries" -gt 0 ]; do
    sleep 0.1
    tries=$((tries - 1))
done
check "SIGINT: the event stream was ended" sh -c "! kill -0 $sse_pid 2>/dev/null"
sse_pid=

# A base path: served as deployed, / redirects to it.
if start_server sub --base-url https://example.org/backpain/; then
    check "base path: the URL printed ends in /backpain/" test "$base" = "$origin/backpain/"
    get "$origin/"
    check "base path: / redirects to /backpain/" test "$(status) $(header Location)" = "302 /backpain/"
    get "$origin/backpain"
    check "base path: /backpain redirects to /backpain/" test "$(status) $(header Location)" = "302 /backpain/"
    get "$origin/backpain/"
    check "base path: home is served there" test "$(status)" = 200
    check "base path: links carry the path" body_has 'href="/backpain/css/site.css"'
    check "base path: absolute URLs point here" body_has "$origin/backpain/"
    get "$origin/backpain/css/site.css"
    check "base path: assets under it" test "$(status)" = 200
    get "$origin/css/site.css"
    check "base path: nothing outside it" test "$(status)" = 404
    stop_server TERM
    check "SIGTERM: exits 0 within 10 s" test "$stop_status" = 0
    check "SIGTERM: the private folder is removed" sh -c "[ -z \"\$(ls -A '$work/tmp')\" ]"
else
    fail "base path: serve starts"
    cat "$work/sub.err"
fi

# A site broken from the start: a 503 page with the overlay until it is fixed.
sed 's|^date: .*|date: <b>broken</b>|' "$work/article.good" >"$site/$article"
if start_server early; then
    get "$base"
    check "broken from the start: 503" test "$(status)" = 503
    check "broken from the start: the overlay names $article:$line:7" body_has "$article:$line:7: error"
    cp "$work/article.good" "$site/$article"
    tries=100
    while [ "$tries" -gt 0 ]; do
        get "$base"
        [ "$(status)" = 200 ] && break
        sleep 0.1
        tries=$((tries - 1))
    done
    check "broken from the start: fixed, the site is served" test "$(status)" = 200
    check "broken from the start: fixed, no overlay" body_lacks '<div id="lumbar-overlay"'
    stop_server INT
    check "broken from the start: stops cleanly" test "$stop_status" = 0
else
    fail "broken from the start: serve starts anyway"
    cat "$work/early.err"
fi

# A build killed between the two renames of the fallback swap leaves the
# site's output folder aside as .public.lumbar-staging.old: serve builds
# elsewhere, but puts it back before anything else, as a build does.
"$LUMBAR" build -q -s "$site" || fail "recover: the site builds into public/"
snapshot_public() { (cd "$site/public" && find . -type f | sort | xargs cat | cksum); }
before=$(snapshot_public)
mv "$site/public" "$site/.public.lumbar-staging.old"
if start_server recover; then
    check "recover: serve puts back the output folder left aside" test -d "$site/public"
    check "recover: it is the output that was left aside" test "$(snapshot_public 2>/dev/null)" = "$before"
    check "recover: nothing is left aside" test ! -e "$site/.public.lumbar-staging.old"
    stop_server INT
else
    fail "recover: serve starts"
    cat "$work/recover.err"
fi

finish
