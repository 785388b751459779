;;; apimlint.el --- Eglot setup for apimlint, the deployment.toml linter  -*- lexical-binding: t; -*-

;; Package-Requires: ((emacs "28.1") (eglot "1.9"))
;; Keywords: tools, languages

;;; Commentary:

;; Runs `apimlint lsp' through Eglot for WSO2 API Manager deployment.toml
;; files and apimlint.toml project files, and for no other TOML file.
;;
;; Works with Emacs 28 plus the `eglot' package (Debian 12: `elpa-eglot'
;; 1.9) and with the Eglot built into Emacs 29 and later.  Load it from
;; your init file:
;;
;;   (load "/path/to/apimlint/editors/emacs/apimlint.el")
;;   ;; optional, when apimlint is not on `exec-path':
;;   (setq apimlint-program "/abs/path/to/apimlint")
;;
;; How it works: when a buffer visiting a file named deployment.toml or
;; apimlint.toml enters `conf-toml-mode' or `toml-ts-mode' (see
;; `apimlint-major-modes'), the server is registered in that buffer's own
;; `eglot-server-programs', and `eglot-ensure' is called there.  Other TOML
;; buffers keep whatever server they had (taplo, ...).  Eglot's project for
;; these buffers is the directory of the nearest apimlint.toml above the
;; file, so all the files of one deployment share one server; without an
;; apimlint.toml, Eglot's usual project (the VC root) is used.

;;; Code:

(require 'cl-lib)
(require 'project)
(require 'eglot)

(defgroup apimlint nil
  "Eglot setup for the apimlint language server."
  :group 'tools
  :prefix "apimlint-")

(defcustom apimlint-program "apimlint"
  "The apimlint executable: a name looked up in variable `exec-path', or a path.
It is read each time a server starts."
  :type 'string)

(defcustom apimlint-file-regexp "\\`\\(?:deployment\\|apimlint\\)\\.toml\\'"
  "Regexp matched against a file's name without directory.
Buffers visiting such files get the apimlint server."
  :type 'regexp)

(defcustom apimlint-major-modes '(conf-toml-mode toml-ts-mode)
  "Major modes in which files matching `apimlint-file-regexp' get apimlint.
Changing it takes effect the next time this file is loaded."
  :type '(repeat symbol))

(defcustom apimlint-auto-start t
  "Non-nil means call `eglot-ensure' in buffers that get apimlint.
When nil, the server is still registered there; start it with \\[eglot]."
  :type 'boolean)

(defun apimlint--file-p (&optional buffer)
  "Non-nil if BUFFER (default: the current one) visits an apimlint file."
  (let ((file (buffer-file-name (or buffer (current-buffer)))))
    (and file
         (not (file-remote-p file))
         (string-match-p apimlint-file-regexp (file-name-nondirectory file)))))

(defun apimlint--contact (&optional _interactive)
  "The command line of the apimlint server, for `eglot-server-programs'."
  (list apimlint-program "lsp"))

;; The project: the directory of the nearest apimlint.toml.

(cl-defmethod project-root ((project (head apimlint)))
  "The root of an apimlint PROJECT: the directory of its apimlint.toml."
  (cdr project))

(defun apimlint--project-find (dir)
  "Return an apimlint project for DIR, for Eglot's project lookups.
Used in `project-find-functions' of apimlint buffers only, and only while
`eglot-lsp-context' is non-nil, so `project.el' commands are unchanged."
  (when (bound-and-true-p eglot-lsp-context)
    (let ((root (locate-dominating-file dir "apimlint.toml")))
      (and root (cons 'apimlint (file-name-as-directory (expand-file-name root)))))))

;; The hook.

(defun apimlint-eglot-setup-buffer ()
  "Set up the current buffer for apimlint if it visits an apimlint file."
  (when (apimlint--file-p)
    (add-hook 'project-find-functions #'apimlint--project-find nil t)
    (setq-local eglot-server-programs
                (cons (cons (mapcar (lambda (mode) (list mode :language-id "toml"))
                                    (delete-dups (cons major-mode
                                                       (copy-sequence apimlint-major-modes))))
                            #'apimlint--contact)
                      (default-value 'eglot-server-programs)))
    (when apimlint-auto-start
      (eglot-ensure))))

(dolist (mode apimlint-major-modes)
  (add-hook (intern (format "%s-hook" mode)) #'apimlint-eglot-setup-buffer))

;; Buffers that were already open when this file was loaded.
(dolist (buffer (buffer-list))
  (with-current-buffer buffer
    (when (and (memq major-mode apimlint-major-modes)
               (apimlint--file-p)
               (not (bound-and-true-p eglot--managed-mode)))
      (apimlint-eglot-setup-buffer))))

(provide 'apimlint)
;;; apimlint.el ends here
