-- apimlint for Neovim 0.8+ (built-in LSP client). Put this file in
-- ~/.config/nvim/plugin/ (or `require` it from init.lua). It starts
-- `apimlint lsp` for deployment.toml and apimlint.toml buffers, rooted at the
-- nearest apimlint.toml (else the repository, else the current directory).
local cmd = { vim.g.apimlint_path or "apimlint", "lsp" }

vim.api.nvim_create_autocmd({ "BufReadPost", "BufNewFile" }, {
  pattern = { "deployment.toml", "apimlint.toml" },
  group = vim.api.nvim_create_augroup("apimlint", { clear = true }),
  callback = function(args)
    local found = vim.fs.find({ "apimlint.toml", ".git" }, {
      upward = true,
      path = vim.fs.dirname(args.file),
    })[1]
    vim.lsp.start({
      name = "apimlint",
      cmd = cmd,
      root_dir = found and vim.fs.dirname(found) or vim.fn.getcwd(),
    })
  end,
})
