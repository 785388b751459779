#!/usr/bin/env bash
# The shipped editor configurations, driven headless against a real
# `apimlint lsp`:
#   (a) Neovim with editors/neovim/apimlint.lua as its only user plugin;
#   (b) Emacs --batch with editors/emacs/apimlint.el loaded (Eglot + Flymake).
# Each opens a COPY of the pattern-1-broken sample, waits for the server's
# diagnostics on region-1/gw-2's deployment.toml and compares them with the
# CLI's JSON for that file: the set of (line, rule, severity), each message,
# the workspace root, then opens region-1/gw-1's file and checks it is served
# by the same (single) server. Then the other files of a node's home: in the
# copy, region-2/cp-2's token revocation event publisher is given the name of
# another publisher of that node; each editor opens that XML file and waits,
# through its own diagnostic API (vim.diagnostic.get, Flymake), for
# event-publisher-name-duplicate on the line of the name attribute. The clash
# drops that publisher (so the bridge's tokenRevocation topic goes unchecked):
# the test gives the publisher its own name back in the editor's buffer (not on
# disk), waits for the finding to go, then opens the node's
# jndi-region1.properties and waits for region-bridge-unresolved on the
# tokenRevocation topic's line; all from the same one server. An XML file
# that is no home file gets no server. Lua errors, Vim errors and Emacs errors
# fail it.
#
#   .ci/editors-headless.sh /abs/path/to/apimlint
#
# Installs neovim, emacs-nox and elpa-eglot with apt when missing. Overrides,
# for trying other versions or proving that the checks fail:
#   NVIM=/path/to/nvim  EMACS=/path/to/emacs
#   APIMLINT_NVIM_CONFIG=/path/to/other.lua  APIMLINT_EMACS_CONFIG=/path/to/other.el
#   APIMLINT_EDITORS=nvim|emacs (default: both)  APIMLINT_EDITOR_TIMEOUT=seconds (30)
set -euo pipefail

die() { printf 'editors-headless: %s\n' "$*" >&2; exit 2; }
[[ $# -eq 1 ]] || die "usage: $0 /abs/path/to/apimlint"
bin=$(realpath "$1") || die "no such binary: $1"
[[ -x $bin ]] || die "not an executable: $bin"
repo=$(cd "$(dirname "$0")/.." && pwd)
nvim_config=${APIMLINT_NVIM_CONFIG:-$repo/editors/neovim/apimlint.lua}
emacs_config=${APIMLINT_EMACS_CONFIG:-$repo/editors/emacs/apimlint.el}
editors=${APIMLINT_EDITORS:-nvim emacs}
timeout_s=${APIMLINT_EDITOR_TIMEOUT:-30}
# The finding the sample is known for; the rest is compared with the CLI.
anchor_rel=region-1/gw-2/repository/conf/deployment.toml
anchor_line=58
anchor_rule=gateway-label-unmatched
second_rel=region-1/gw-1/repository/conf/deployment.toml
# A node's home files (not deployment.toml): an event publisher made to clash
# with another publisher's name, and the bridge's JNDI file.
xml_rel=region-2/cp-2/repository/deployment/server/eventpublishers/tokenRevocationJMSPublisherRegion1.xml
xml_name=tokenRevocationJMSPublisherRegion1
xml_taken=notificationJMSPublisherRegion1 # region-2/cp-2's notificationJMSPublisherRegion1.xml
xml_rule=event-publisher-name-duplicate
jndi_rel=region-2/cp-2/repository/conf/jndi-region1.properties
jndi_rule=region-bridge-unresolved

# ---------------------------------------------------------------- install
need=()
if [[ -z ${NVIM:-} && $editors == *nvim* ]] && ! command -v nvim >/dev/null; then need+=(neovim); fi
if [[ -z ${EMACS:-} && $editors == *emacs* ]]; then
    if ! command -v emacs >/dev/null; then
        need+=(emacs-nox elpa-eglot)
    elif ! emacs --batch --eval '(require (quote eglot))' >/dev/null 2>&1; then
        need+=(elpa-eglot) # Emacs 28; 29+ has Eglot built in
    fi
fi
if [[ ${#need[@]} -gt 0 ]]; then
    echo "installing ${need[*]} (apt)"
    sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
    "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
NVIM=${NVIM:-nvim}
EMACS=${EMACS:-emacs}

# ---------------------------------------------------------------- workspace
work=$(mktemp -d)
# Every process started below carries this in its environment, servers too:
# cleanup finds them by it and kills them by pid.
export APIMLINT_HEADLESS_TOKEN=$work
cleanup() {
    local pids=() p stat fields
    for p in /proc/[0-9]*; do
        [[ $p == "/proc/$$" ]] && continue
        # not this shell's own children (the pipeline below)
        { read -r stat <"$p/stat"; } 2>/dev/null || continue
        read -r -a fields <<<"${stat##*) }"
        [[ ${fields[1]:-} == "$$" ]] && continue
        if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qxF "APIMLINT_HEADLESS_TOKEN=$work"; then
            pids+=("${p#/proc/}")
        fi
    done
    if [[ ${#pids[@]} -gt 0 ]]; then
        kill -KILL "${pids[@]}" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# A space and a comma in the path: 'path'-style lookups (findfile) break on them.
dep="$work/odd dir, deployment"
mkdir -p "$dep"
cp -r "$repo/fixtures/deployments/pattern-1-broken/." "$dep/"
# the copy's token revocation publisher takes the notification publisher's name
grep -q "<eventPublisher name=\"$xml_taken\"" "$dep/${xml_rel%/*}/$xml_taken.xml" ||
    die "no event publisher named $xml_taken in region-2/cp-2 any more: update this script"
sed -i "s/<eventPublisher name=\"$xml_name\"/<eventPublisher name=\"$xml_taken\"/" "$dep/$xml_rel"
xml_line=$(grep -n "<eventPublisher name=\"$xml_taken\"" "$dep/$xml_rel" | cut -d: -f1)
[[ $xml_line =~ ^[0-9]+$ ]] || die "could not rename the event publisher in $xml_rel"
jndi_line=$(grep -n '^topic\.tokenRevocation *= *tokenrevocation' "$dep/$jndi_rel" | cut -d: -f1)
[[ $jndi_line == 7 ]] || die "$jndi_rel: the misspelt tokenRevocation topic is not on line 7 any more: update this script"
rc=0
(cd "$work" && "$bin" check --format json "$dep" >"$work/expected.json") || rc=$?
[[ $rc -le 1 ]] || die "the CLI failed on the sample (exit $rc)"
grep -q "\"rule\": \"$anchor_rule\"" "$work/expected.json" ||
    die "the CLI reports no $anchor_rule on the sample any more: update this script's anchor"
grep -q "\"rule\": \"$xml_rule\"" "$work/expected.json" ||
    die "the CLI reports no $xml_rule on the renamed event publisher: update this script"

export T_BIN="$bin" T_EXPECTED="$work/expected.json" T_ROOT="$dep" T_FILE1="$dep/$anchor_rel" T_FILE2="$dep/$second_rel"
export T_REL1="/$anchor_rel" T_REL2="/$second_rel" T_TIMEOUT="$timeout_s"
export T_ANCHOR_LINE="$anchor_line" T_ANCHOR_RULE="$anchor_rule"
export T_XML="$dep/$xml_rel" T_XML_LINE="$xml_line" T_XML_RULE="$xml_rule" T_XML_NAME="$xml_taken" T_XML_OWN="$xml_name"
export T_JNDI="$dep/$jndi_rel" T_JNDI_LINE="$jndi_line" T_JNDI_RULE="$jndi_rule"

failed=()
# Processes left running after an editor quit (its servers): report, then kill.
reap() { # NAME PIDFILE
    local pid
    [[ -s $2 ]] || return 0
    for pid in $(cat "$2"); do
        sleep 0.5
        if kill -0 "$pid" 2>/dev/null; then
            echo "note: $1 left its server (pid $pid) running after quitting; killed it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
}

# ---------------------------------------------------------------- (a) Neovim
cat >"$work/nvim-test.lua" <<'LUA'
-- Driven by .ci/editors-headless.sh; see there.
local env = os.getenv
local T = tonumber(env("T_TIMEOUT")) * 1000
local out = io.open(env("T_LOG"), "a")
local function log(fmt, ...)
  out:write(string.format(fmt, ...) .. "\n")
  out:flush()
end

local function clients(buf)
  local list
  if vim.lsp.get_clients then
    list = vim.lsp.get_clients(buf and { bufnr = buf } or nil)
  elseif buf then
    list = vim.lsp.buf_get_clients(buf)
  else
    list = vim.lsp.get_active_clients()
  end
  local r = {}
  for _, c in pairs(list) do
    if c.name == "apimlint" then
      table.insert(r, c)
    end
  end
  return r
end

local SEV = { error = 1, warning = 2, info = 3, hint = 4 }
local function expected(suffix)
  local doc = vim.fn.json_decode(table.concat(vim.fn.readfile(env("T_EXPECTED")), "\n"))
  local keys, msgs = {}, {}
  for _, d in ipairs(doc.diagnostics) do
    if d.file:sub(-#suffix) == suffix then
      local k = string.format("%d %s %s", d.range.start.line, d.rule, SEV[d.severity] or d.severity)
      table.insert(keys, k)
      msgs[k] = d.message
    end
  end
  table.sort(keys)
  return keys, msgs
end

local function actual(buf)
  local keys, msgs = {}, {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    local k = string.format("%d %s %s", d.lnum + 1, tostring(code), tostring(d.severity))
    table.insert(keys, k)
    msgs[k] = d.message
  end
  table.sort(keys)
  return keys, msgs
end

local function same(a, b)
  return table.concat(a, "\n") == table.concat(b, "\n")
end

local function real(p)
  return (vim.loop.fs_realpath(p) or p):gsub("/+$", "")
end

local function check_file(buf, suffix)
  local want, want_msgs = expected(suffix)
  assert(#want > 0, "the CLI reports nothing for " .. suffix .. ": pick another file")
  log("%s: expecting %d diagnostics: %s", suffix, #want, table.concat(want, "; "))
  local got
  local ok = vim.wait(T, function()
    got = actual(buf)
    return same(got, want)
  end, 100)
  if not ok then
    error(string.format("%s: diagnostics (line rule severity) differ from the CLI's after %ds\n  want: %s\n  got:  %s",
      suffix, T / 1000, table.concat(want, "; "), #got > 0 and table.concat(got, "; ") or "(none)"), 0)
  end
  vim.wait(1500) -- they must stay so
  local got_msgs
  got, got_msgs = actual(buf)
  assert(same(got, want), suffix .. ": diagnostics changed after matching: " .. table.concat(got, "; "))
  for k, m in pairs(want_msgs) do
    local g = got_msgs[k]
    assert(g == m or g:sub(1, #m + 1) == m .. "\n",
      string.format("%s: message of %s is %q, the CLI says %q", suffix, k, g, m))
  end
  log("%s: ok (%s)", suffix, table.concat(got, "; "))
end

local function main()
  local anchor = env("T_ANCHOR_LINE") .. " " .. env("T_ANCHOR_RULE") .. " 1"
  local buf1 = vim.api.nvim_get_current_buf()
  assert(vim.api.nvim_buf_get_name(buf1):sub(-#env("T_REL1")) == env("T_REL1"), "not the expected first buffer")
  assert(vim.tbl_contains(expected(env("T_REL1")), anchor), "the CLI's JSON lacks " .. anchor)
  check_file(buf1, env("T_REL1"))
  local cs = clients()
  assert(#cs == 1, string.format("%d apimlint clients after the first file, want 1", #cs))
  local first = cs[1]
  assert(real(first.config.root_dir) == real(env("T_ROOT")),
    string.format("root_dir is %q, want %q (the directory of apimlint.toml)", first.config.root_dir, env("T_ROOT")))
  log("client %d, root %s", first.id, first.config.root_dir)

  vim.cmd("edit " .. vim.fn.fnameescape(env("T_FILE2")))
  local buf2 = vim.api.nvim_get_current_buf()
  assert(buf2 ~= buf1, "the second file did not open")
  -- a client is listed once initialized: wait for the buffer's
  assert(vim.wait(T, function() return #clients(buf2) > 0 end, 50), "no client attached to the second file")
  cs = clients()
  assert(#cs == 1, string.format("%d apimlint clients after opening a second file of the deployment, want 1", #cs))
  check_file(buf2, env("T_REL2"))
  cs = clients()
  assert(#cs == 1, string.format("%d apimlint clients after the second file of the deployment, want 1", #cs))
  assert(cs[1].id == first.id, "the second file got a new client")
  for _, b in ipairs({ buf1, buf2 }) do
    local bc = clients(b)
    assert(#bc == 1 and bc[1].id == first.id, "buffer " .. b .. " is not attached to the one client")
  end

  -- a TOML file that is not apimlint's gets no client
  local other = env("T_ROOT") .. "/other.toml"
  vim.fn.writefile({ "[a]", "b = 1" }, other)
  vim.cmd("edit " .. vim.fn.fnameescape(other))
  local buf3 = vim.api.nvim_get_current_buf()
  vim.wait(500)
  assert(#clients(buf3) == 0, "other.toml (filetype " .. vim.bo[buf3].filetype .. ") got an apimlint client")
  vim.fn.delete(other)

  -- a node's home files: the same client publishes their diagnostics
  local function check_home(path, line, rule, needle)
    vim.cmd("edit " .. vim.fn.fnameescape(path))
    local buf = vim.api.nvim_get_current_buf()
    local rel = path:sub(#env("T_ROOT") + 2)
    assert(vim.wait(T, function() return #clients(buf) > 0 end, 50),
      rel .. " (filetype " .. vim.bo[buf].filetype .. ") got no apimlint client")
    local want = string.format("%d %s 1", line, rule)
    local got
    local ok = vim.wait(T, function()
      got = actual(buf)
      return vim.tbl_contains(got, want)
    end, 100)
    if not ok then
      error(string.format("%s: no %s after %ds\n  got: %s", rel, want, T / 1000,
        #got > 0 and table.concat(got, "; ") or "(none)"), 0)
    end
    local _, msgs = actual(buf)
    assert(msgs[want]:find(needle, 1, true), string.format("%s: message of %s is %q, want it to name %s", rel, want, msgs[want], needle))
    local bc, all = clients(buf), clients()
    assert(#all == 1, string.format("%d apimlint clients after opening %s, want 1", #all, rel))
    assert(#bc == 1 and bc[1].id == first.id, rel .. " is not attached to the deployment's one client")
    log("%s (filetype %s): ok (%s)", rel, vim.bo[buf].filetype, table.concat(got, "; "))
  end
  check_home(env("T_XML"), tonumber(env("T_XML_LINE")), env("T_XML_RULE"), env("T_XML_NAME"))
  -- typed in the editor: the publisher gets its own name back, the finding goes
  do
    local buf = vim.api.nvim_get_current_buf()
    local n = tonumber(env("T_XML_LINE"))
    local text = vim.api.nvim_buf_get_lines(buf, n - 1, n, true)[1]
    local from, to = 'name="' .. env("T_XML_NAME") .. '"', 'name="' .. env("T_XML_OWN") .. '"'
    local at = assert(text:find(from, 1, true), "line " .. n .. " lacks " .. from)
    vim.api.nvim_buf_set_lines(buf, n - 1, n, true, { text:sub(1, at - 1) .. to .. text:sub(at + #from) })
    local want = string.format("%d %s 1", n, env("T_XML_RULE"))
    local got
    assert(vim.wait(T, function()
      got = actual(buf)
      return not vim.tbl_contains(got, want)
    end, 100), "the renamed publisher still has " .. want .. " after its name was typed back: " .. table.concat(got, "; "))
    log("%s renamed back in the buffer: ok (%s)", env("T_XML_OWN"), #got > 0 and table.concat(got, "; ") or "no diagnostics")
  end
  check_home(env("T_JNDI"), tonumber(env("T_JNDI_LINE")), env("T_JNDI_RULE"), "tokenRevocation")

  -- an XML file that is no home file gets no client
  local pom = env("T_ROOT") .. "/pom.xml"
  vim.fn.writefile({ "<project/>" }, pom)
  vim.cmd("edit " .. vim.fn.fnameescape(pom))
  local buf4 = vim.api.nvim_get_current_buf()
  vim.wait(500)
  assert(#clients(buf4) == 0, "pom.xml (filetype " .. vim.bo[buf4].filetype .. ") got an apimlint client")
  vim.fn.delete(pom)

  local messages = vim.fn.execute("messages")
  for _, pat in ipairs({ "E%d+:", "[Ee]rror", "stack traceback", "%.lua:%d+:", "deprecated", "apimlint:" }) do
    assert(not messages:find(pat), "suspicious :messages output (" .. pat .. "):\n" .. messages)
  end
  assert(vim.v.errmsg == "", "v:errmsg is set: " .. vim.v.errmsg)
end

local ok, err = xpcall(main, debug.traceback)
local pids = {}
for _, c in ipairs(clients()) do
  if c.rpc and c.rpc.pid then
    table.insert(pids, tostring(c.rpc.pid))
  end
end
local pf = io.open(env("T_PIDS"), "w")
pf:write(table.concat(pids, "\n"))
pf:close()
if ok then
  log("PASS")
else
  log("FAIL: %s", tostring(err))
  local lsp_log = vim.lsp.get_log_path and vim.lsp.get_log_path()
  if lsp_log and vim.fn.filereadable(lsp_log) == 1 then
    local lines = vim.fn.readfile(lsp_log)
    log("--- last lines of %s", lsp_log)
    for i = math.max(1, #lines - 20), #lines do
      log("%s", lines[i])
    end
  end
end
out:close()
vim.cmd(ok and "qa!" or "cquit")
LUA

run_nvim() {
    local xdg="$work/nvim-xdg" rc=0
    mkdir -p "$xdg/config/nvim/plugin"
    cp "$nvim_config" "$xdg/config/nvim/plugin/apimlint.lua"
    echo "--- (a) Neovim: $("$NVIM" --version | head -1), config ${nvim_config#"$repo"/}"
    export T_LOG="$work/nvim.log" T_PIDS="$work/nvim.pids"
    : >"$T_LOG"
    # setsid: its own process group, so a timeout kills the server with it
    (cd "$work" && XDG_CONFIG_HOME="$xdg/config" XDG_DATA_HOME="$xdg/data" XDG_STATE_HOME="$xdg/state" \
        XDG_CACHE_HOME="$xdg/cache" HOME="$xdg/home" \
        setsid timeout -k 5 $((timeout_s * 2 + 30)) "$NVIM" --headless -n -i NONE \
        --cmd "let g:apimlint_path = '$bin'" "$T_FILE1" "+luafile $work/nvim-test.lua" \
        </dev/null >"$work/nvim.out" 2>&1) || rc=$?
    cat "$T_LOG"
    reap Neovim "$T_PIDS"
    if grep -qE 'E[0-9]+:|Error|stack traceback|\.lua:[0-9]+:' "$work/nvim.out"; then
        echo "FAIL: Neovim wrote errors:"
        sed 's/^/  | /' "$work/nvim.out"
        rc=1
    fi
    if [[ $rc -ne 0 ]] || ! grep -qx PASS "$T_LOG"; then
        [[ -s $work/nvim.out ]] && { echo "Neovim's output:"; sed 's/^/  | /' "$work/nvim.out"; }
        echo "(a) Neovim: FAILED (exit $rc)"
        failed+=(neovim)
    else
        echo "(a) Neovim: passed"
    fi
}

# ---------------------------------------------------------------- (b) Emacs
cat >"$work/emacs-test.el" <<'ELISP'
;;; emacs-test.el --- driven by .ci/editors-headless.sh  -*- lexical-binding: t; -*-
(require 'cl-lib)
(require 'json)
(require 'flymake)

(defun at-env (name) (or (getenv name) (error "%s is not set" name)))
(defun at-log (fmt &rest args) (message "%s" (apply #'format fmt args)))

(defun at-sev (s)
  (pcase s ("error" "error") ("warning" "warning") (_ "note")))

(defun at-expected (suffix)
  "Sorted keys \"LINE RULE SEVERITY\" and an alist key -> message."
  (let* ((json-object-type 'alist) (json-array-type 'list) (json-key-type 'symbol)
         (doc (json-read-file (at-env "T_EXPECTED")))
         keys msgs)
    (dolist (d (alist-get 'diagnostics doc))
      (when (string-suffix-p suffix (alist-get 'file d))
        (let ((k (format "%d %s %s"
                         (alist-get 'line (alist-get 'start (alist-get 'range d)))
                         (alist-get 'rule d) (at-sev (alist-get 'severity d)))))
          (push k keys)
          (push (cons k (alist-get 'message d)) msgs))))
    (cons (sort keys #'string<) msgs)))

(defun at-rule (d)
  (let* ((data (flymake-diagnostic-data d))
         (spec (and (consp data) (alist-get 'eglot-lsp-diag data)))
         (code (and (listp spec) (plist-get spec :code))))
    (cond (code (format "%s" code))
          ((string-match "\\[\\([^]]+\\)\\]" (flymake-diagnostic-text d))
           (match-string 1 (flymake-diagnostic-text d)))
          (t "?"))))

(defun at-type (type)
  (pcase type ('eglot-error "error") ('eglot-warning "warning") ('eglot-note "note")
         (_ (format "%s" type))))

(defun at-actual (buf)
  (with-current-buffer buf
    (save-restriction
      (widen)
      (let (keys msgs)
        (dolist (d (flymake-diagnostics))
          (let ((k (format "%d %s %s" (line-number-at-pos (flymake-diagnostic-beg d))
                           (at-rule d) (at-type (flymake-diagnostic-type d)))))
            (push k keys)
            (push (cons k (flymake-diagnostic-text d)) msgs)))
        (cons (sort keys #'string<) msgs)))))

(defun at-wait (buf pred seconds)
  "Run the event loop for BUF until PRED is non-nil or SECONDS pass."
  (let ((deadline (+ (float-time) seconds)) ok)
    (while (and (not (setq ok (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.1)
      ;; batch has no command loop and no redisplay: eglot-ensure waits for
      ;; the next command, Flymake for the buffer to be displayed
      (with-current-buffer buf
        (run-hooks 'post-command-hook)
        ;; nor idle time: Eglot sends an edit (didChange) on an idle timer
        (when (bound-and-true-p eglot--change-idle-timer)
          (timer-event-handler eglot--change-idle-timer)))
      (run-window-configuration-change-hook))
    ok))

(defun at-servers ()
  (let (all)
    (maphash (lambda (_ ss) (setq all (append ss all))) eglot--servers-by-project)
    (cl-remove-if-not #'jsonrpc-running-p all)))

(defun at-check-file (buf suffix)
  (let* ((want (at-expected suffix)) got
         (timeout (string-to-number (at-env "T_TIMEOUT"))))
    (unless (car want) (error "The CLI reports nothing for %s: pick another file" suffix))
    (at-log "%s: expecting %d diagnostics: %s" suffix (length (car want))
            (mapconcat #'identity (car want) "; "))
    (unless (at-wait buf (lambda () (equal (car (setq got (at-actual buf))) (car want))) timeout)
      (error "%s: diagnostics (line rule severity) differ from the CLI's after %ds\n  want: %s\n  got:  %s%s"
             suffix timeout (mapconcat #'identity (car want) "; ")
             (if (car got) (mapconcat #'identity (car got) "; ") "(none)")
             (with-current-buffer buf
               (format "\n  eglot managing the buffer: %s, flymake-mode: %s"
                       (bound-and-true-p eglot--managed-mode) (bound-and-true-p flymake-mode)))))
    (at-wait buf #'ignore 1.5)          ; they must stay so
    (setq got (at-actual buf))
    (unless (equal (car got) (car want))
      (error "%s: diagnostics changed after matching: %S" suffix (car got)))
    (dolist (m (cdr want))
      (let ((text (cdr (assoc (car m) (cdr got)))))
        (unless (and text (string-match-p (regexp-quote (cdr m)) text))
          (error "%s: message of %s is %S, the CLI says %S" suffix (car m) text (cdr m)))))
    (at-log "%s: ok (%s)" suffix (mapconcat #'identity (car got) "; "))))

(defun at-main ()
  (load (at-env "T_CONFIG") nil t)
  (setq apimlint-program (at-env "T_BIN"))
  (let* ((anchor (format "%s %s error" (at-env "T_ANCHOR_LINE") (at-env "T_ANCHOR_RULE")))
         (buf1 (find-file (at-env "T_FILE1"))) ; displayed: Flymake starts on display
         server)
    (unless (member anchor (car (at-expected (at-env "T_REL1"))))
      (error "The CLI's JSON lacks %s" anchor))
    (at-log "%s opens in %s" (at-env "T_REL1") (buffer-local-value 'major-mode buf1))
    (set-buffer buf1)
    (at-check-file buf1 (at-env "T_REL1"))
    (setq server (with-current-buffer buf1 (eglot-current-server)))
    (unless server (error "No Eglot server for the first file"))
    (unless (= 1 (length (at-servers)))
      (error "%d Eglot servers after the first file, want 1" (length (at-servers))))
    (let ((root (project-root (eglot--project server))))
      (unless (equal (directory-file-name (file-truename root))
                     (directory-file-name (file-truename (at-env "T_ROOT"))))
        (error "The project root is %S, want %S (the directory of apimlint.toml)" root (at-env "T_ROOT")))
      (at-log "server %s, root %s" (jsonrpc-name server) root))
    (let ((buf2 (find-file (at-env "T_FILE2"))))
      (set-buffer buf2)
      (at-check-file buf2 (at-env "T_REL2"))
      (unless (= 1 (length (at-servers)))
        (error "%d Eglot servers after the second file of the deployment, want 1"
               (length (at-servers))))
      (unless (eq server (with-current-buffer buf2 (eglot-current-server)))
        (error "The second file is not served by the first file's server")))
    ;; a TOML file that is not apimlint's gets no server
    (let ((other (expand-file-name "other.toml" (at-env "T_ROOT"))))
      (with-temp-file other (insert "[a]\nb = 1\n"))
      (with-current-buffer (find-file other)
        (at-wait (current-buffer) #'ignore 0.5)
        (when (or (bound-and-true-p eglot--managed-mode) (eglot-current-server))
          (error "other.toml (%s) is managed by apimlint" major-mode)))
      (delete-file other))
    ;; a node's home files: the same server publishes their diagnostics
    (at-check-home server (at-env "T_XML") (at-env "T_XML_LINE") (at-env "T_XML_RULE")
                   (at-env "T_XML_NAME"))
    ;; typed in the editor: the publisher gets its own name back, the finding goes
    (let ((buf (current-buffer))
          (want (format "%s %s error" (at-env "T_XML_LINE") (at-env "T_XML_RULE")))
          got)
      (save-excursion
        (goto-char (point-min))
        (forward-line (1- (string-to-number (at-env "T_XML_LINE"))))
        (unless (search-forward (format "name=\"%s\"" (at-env "T_XML_NAME")) (line-end-position) t)
          (error "Line %s of the publisher lacks its clashing name" (at-env "T_XML_LINE")))
        (replace-match (format "name=\"%s\"" (at-env "T_XML_OWN")) t t))
      (unless (at-wait buf (lambda () (not (member want (car (setq got (at-actual buf))))))
                       (string-to-number (at-env "T_TIMEOUT")))
        (error "The renamed publisher still has %s after its name was typed back: %S" want (car got)))
      (at-log "%s renamed back in the buffer: ok (%s)" (at-env "T_XML_OWN")
              (if (car got) (mapconcat #'identity (car got) "; ") "no diagnostics")))
    (at-check-home server (at-env "T_JNDI") (at-env "T_JNDI_LINE") (at-env "T_JNDI_RULE")
                   "tokenRevocation")
    ;; an XML file that is no home file gets no server
    (let ((pom (expand-file-name "pom.xml" (at-env "T_ROOT"))))
      (with-temp-file pom (insert "<project/>\n"))
      (with-current-buffer (find-file pom)
        (at-wait (current-buffer) #'ignore 0.5)
        (when (or (bound-and-true-p eglot--managed-mode) (eglot-current-server))
          (error "pom.xml (%s) is managed by apimlint" major-mode)))
      (delete-file pom))))

(defun at-check-home (server file line rule needle)
  "Open FILE, wait for RULE on LINE from SERVER's Flymake diagnostics."
  (let* ((buf (find-file file))
         (rel (substring file (1+ (length (at-env "T_ROOT")))))
         (want (format "%s %s error" line rule))
         (timeout (string-to-number (at-env "T_TIMEOUT")))
         got)
    (set-buffer buf)
    (unless (at-wait buf (lambda () (member want (car (setq got (at-actual buf))))) timeout)
      (error "%s (%s): no %s after %ds\n  got: %s\n  eglot managing the buffer: %s, flymake-mode: %s"
             rel major-mode want timeout
             (if (car got) (mapconcat #'identity (car got) "; ") "(none)")
             (bound-and-true-p eglot--managed-mode) (bound-and-true-p flymake-mode)))
    (let ((text (cdr (assoc want (cdr got)))))
      (unless (and text (string-match-p (regexp-quote needle) text))
        (error "%s: message of %s is %S, want it to name %s" rel want text needle)))
    (unless (= 1 (length (at-servers)))
      (error "%d Eglot servers after opening %s, want 1" (length (at-servers)) rel))
    (unless (eq server (eglot-current-server))
      (error "%s is not served by the deployment's one server" rel))
    (at-log "%s (%s): ok (%s)" rel major-mode (mapconcat #'identity (car got) "; "))))

(let ((code 0))
  (condition-case err
      (progn (at-main) (at-log "PASS"))
    (error (setq code 1)
           (at-log "FAIL: %s" (error-message-string err))
           (dolist (s (at-servers))
             (let ((b (jsonrpc-events-buffer s)))
               (when (buffer-live-p b)
                 (with-current-buffer b
                   (at-log "--- end of %s:\n%s" (buffer-name)
                           (buffer-substring-no-properties (max (point-min) (- (point-max) 3000))
                                                           (point-max)))))))))
  (with-temp-file (at-env "T_PIDS")
    (dolist (s (at-servers))
      (let ((p (jsonrpc--process s)))
        (when (process-id p) (insert (format "%d\n" (process-id p)))))))
  (ignore-errors (eglot-shutdown-all))
  (kill-emacs code))
ELISP

run_emacs() {
    local home="$work/emacs-home" rc=0
    mkdir -p "$home"
    echo "--- (b) Emacs: $("$EMACS" --version | head -1), config ${emacs_config#"$repo"/}"
    export T_PIDS="$work/emacs.pids" T_CONFIG="$emacs_config"
    # 1. it byte-compiles without a warning
    cp "$emacs_config" "$work/apimlint-compile.el"
    if ! (cd "$work" && HOME="$home" timeout 60 "$EMACS" --batch \
        --eval '(setq byte-compile-error-on-warn t)' \
        --eval "(unless (byte-compile-file \"$work/apimlint-compile.el\") (kill-emacs 1))" \
        >"$work/emacs-compile.out" 2>&1); then
        echo "FAIL: $emacs_config does not byte-compile cleanly:"
        sed 's/^/  | /' "$work/emacs-compile.out"
        rc=1
    fi
    # 2. it serves the sample
    (cd "$work" && HOME="$home" setsid timeout -k 5 $((timeout_s * 2 + 30)) "$EMACS" --batch \
        -l "$work/emacs-test.el" </dev/null >"$work/emacs.out" 2>&1) || rc=$?
    grep -vE '^Loading .*(debian|site-start)' "$work/emacs.out" | sed 's/^/  /' || true
    reap Emacs "$T_PIDS"
    if grep -E '^(Error|Debugger entered)|error in process|void-(function|variable)|wrong-type-argument|Symbol.s (function|value)' \
        "$work/emacs.out" | grep -v '^FAIL: ' | grep -q .; then
        echo "FAIL: Emacs reported errors (see above)"
        rc=1
    fi
    if [[ $rc -ne 0 ]] || ! grep -qx PASS "$work/emacs.out"; then
        echo "(b) Emacs: FAILED (exit $rc)"
        failed+=(emacs)
    else
        echo "(b) Emacs: passed"
    fi
}

start=$SECONDS
for e in $editors; do
    case $e in
        nvim) run_nvim ;;
        emacs) run_emacs ;;
        *) die "unknown editor in APIMLINT_EDITORS: $e" ;;
    esac
done
echo "--- editors-headless: $((SECONDS - start))s"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "editors-headless: FAILED: ${failed[*]}"
    exit 1
fi
echo "editors-headless: all passed"
