-- apimlint for Neovim's built-in LSP client: Neovim 0.7 (Debian 12) and newer.
--
-- Put this file in ~/.config/nvim/plugin/ (or `dofile` it from init.lua). It
-- starts `apimlint lsp` for buffers named deployment.toml or apimlint.toml,
-- and for the other text files of a node's home that the server analyses:
--   */repository/deployment/server/eventpublishers/*.xml  (event publishers)
--   */repository/deployment/server/userstores/*.xml       (user stores)
--   */repository/conf/jndi*.properties                    (JNDI, e.g. the bridge)
-- whatever their filetype, rooted at the nearest apimlint.toml above the file
-- (else the directory holding .git, else the current directory). One server
-- runs per root; every file of a deployment attaches to it.
--
-- Options (read when a file is opened, so they may be set after this file):
--   vim.g.apimlint_path = '/abs/path/to/apimlint'  -- default: `apimlint` on PATH
--
-- Neovim 0.8+ uses vim.lsp.start and vim.fs; 0.7 has neither, so the same
-- thing is done with vim.lsp.start_client + vim.lsp.buf_attach_client.

if vim.g.loaded_apimlint then
  return
end
vim.g.loaded_apimlint = true

local api = vim.api
local uv = vim.uv or vim.loop

local NAME = "apimlint"
local FILES = { "deployment.toml", "apimlint.toml" }
-- A node's home files, by path (Lua patterns on the '/'-separated full path).
local HOME_FILES = {
  "/repository/deployment/server/eventpublishers/[^/]+%.xml$",
  "/repository/deployment/server/userstores/[^/]+%.xml$",
  "/repository/conf/jndi[^/]*%.properties$",
}
-- The same, as autocmd patterns (`*` crosses '/' there; is_ours decides).
local PATTERNS = {
  "deployment.toml",
  "apimlint.toml",
  "*/repository/deployment/server/eventpublishers/*.xml",
  "*/repository/deployment/server/userstores/*.xml",
  "*/repository/conf/jndi*.properties",
}

local function basename(path)
  return path:match("([^/\\]+)[/\\]*$") or path
end

local function is_ours(path)
  local base = basename(path)
  for _, f in ipairs(FILES) do
    if base == f then
      return true
    end
  end
  local slashed = path:gsub("\\", "/")
  for _, pat in ipairs(HOME_FILES) do
    if slashed:find(pat) then
      return true
    end
  end
  return false
end

-- The languageId sent in didOpen: Neovim's filetype, except for the
-- properties files (Neovim calls them `jproperties`).
local function language_id(_, filetype)
  if filetype == "jproperties" then
    return "properties"
  end
  return filetype
end

local function dirname(path)
  return vim.fn.fnamemodify(path, ":h")
end

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

-- The nearest directory at or above `dir` holding `name`, or nil.
local function find_up(dir, name)
  if vim.fs and vim.fs.find then
    local found = vim.fs.find(name, { upward = true, path = dir })[1]
    return found and dirname(found) or nil
  end
  -- 0.7: walk up by hand (findfile()/finddir() treat ',', ' ' and '*' in a
  -- path specially, so they are not used).
  while dir and dir ~= "" do
    if exists(dir .. "/" .. name) then
      return dir
    end
    local parent = dirname(dir)
    if parent == dir then
      return nil
    end
    dir = parent
  end
  return nil
end

local function root_of(file)
  local dir = dirname(file)
  return find_up(dir, "apimlint.toml") or find_up(dir, ".git") or vim.fn.getcwd()
end

local warned = false
local function command()
  local exe = vim.g.apimlint_path or "apimlint"
  if vim.fn.executable(exe) ~= 1 then
    if not warned then
      warned = true
      vim.notify(
        ("apimlint: `%s` is not an executable; set vim.g.apimlint_path or put apimlint on PATH"):format(exe),
        vim.log.levels.WARN
      )
    end
    return nil
  end
  return { exe, "lsp" }
end

-- 0.7: client ids by root, so a deployment's files share one server.
local clients = {}

local function running(id)
  if not id then
    return nil
  end
  local client = vim.lsp.get_client_by_id(id)
  if client and not client.is_stopped() then
    return client
  end
  return nil
end

local function attach(buf)
  if not api.nvim_buf_is_valid(buf) or vim.bo[buf].buftype ~= "" then
    return
  end
  local file = api.nvim_buf_get_name(buf)
  if file == "" or file:find("^%a[%w+.-]*://") then
    return
  end
  file = vim.fn.fnamemodify(file, ":p")
  if not is_ours(file) then
    return
  end
  local root = root_of(file)
  local cmd = command()
  if not cmd then
    return
  end
  local config = { name = NAME, cmd = cmd, root_dir = root, get_language_id = language_id }

  if vim.lsp.start then
    -- 0.8+: reuses the running client of the same name and root.
    api.nvim_buf_call(buf, function()
      vim.lsp.start(config)
    end)
    return
  end

  local client = running(clients[root])
  if not client then
    for _, c in pairs(vim.lsp.get_active_clients()) do
      if c.name == NAME and c.config.root_dir == root and not c.is_stopped() then
        client = c
        break
      end
    end
  end
  local id = client and client.id
  if not id then
    config.on_exit = function(_, _, client_id)
      if clients[root] == client_id then
        clients[root] = nil
      end
    end
    id = vim.lsp.start_client(config)
    if not id then
      return
    end
  end
  clients[root] = id
  vim.lsp.buf_attach_client(buf, id)
end

local group = api.nvim_create_augroup(NAME, { clear = true })
api.nvim_create_autocmd({ "BufReadPost", "BufNewFile" }, {
  group = group,
  pattern = PATTERNS,
  callback = function(args)
    attach(args.buf)
  end,
})

-- Buffers that were open before this file was loaded (lazy loading).
for _, buf in ipairs(api.nvim_list_bufs()) do
  if api.nvim_buf_is_loaded(buf) then
    attach(buf)
  end
end
