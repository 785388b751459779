;;; apimlint.el --- Eglot setup for apimlint, the deployment.toml linter  -*- lexical-binding: t; -*-

;; Package-Requires: ((emacs "28.1") (eglot "1.9"))
;; Keywords: tools, languages

;;; Commentary:

;; Runs `apimlint lsp' through Eglot for WSO2 API Manager deployment.toml
;; files and apimlint.toml project files, and for no other TOML file; and for
;; the other text files of a node's home that the server analyses (see
;; `apimlint-home-file-regexp'): event publishers
;; (repository/deployment/server/eventpublishers/*.xml), user stores
;; (repository/deployment/server/userstores/*.xml) and JNDI files
;; (repository/conf/jndi*.properties), and for no other XML or properties file.
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
;; `apimlint-major-modes'), or a buffer visiting a home file enters
;; `nxml-mode', `conf-javaprop-mode' or `conf-mode' (see
;; `apimlint-home-major-modes'), the server is registered in that buffer's
;; own `eglot-server-programs', and `eglot-ensure' is called there.  Other
;; TOML, XML and properties buffers keep whatever server they had (taplo,
;; lemminx, ...).  The one entry lists all these modes, so a deployment's
;; TOML, XML and properties files share one server.  Eglot's project for
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

(defcustom apimlint-home-file-regexp
  (concat "/repository/\\(?:deployment/server/\\(?:eventpublishers\\|userstores\\)/[^/]+\\.xml"
          "\\|conf/jndi[^/]*\\.properties\\)\\'")
  "Regexp matched against a file's absolute name (with `/' separators).
Buffers visiting such files (a node's event publisher, user store and
JNDI files) get the apimlint server too."
  :type 'regexp)

(defcustom apimlint-home-major-modes
  '((nxml-mode . "xml") (conf-javaprop-mode . "properties") (conf-mode . "properties"))
  "Major modes in which files matching `apimlint-home-file-regexp' get apimlint.
Each with the LSP language id of its files.  A mode derived from one of
these (`conf-unix-mode' from `conf-mode', ...) runs its hook too.
Changing it takes effect the next time this file is loaded."
  :type '(alist :key-type symbol :value-type string))

(defcustom apimlint-auto-start t
  "Non-nil means call `eglot-ensure' in buffers that get apimlint.
When nil, the server is still registered there; start it with \\[eglot]."
  :type 'boolean)

(defun apimlint--language-id (&optional buffer)
  "The LSP language id of the file BUFFER (default: the current one) visits.
\"toml\" for a deployment.toml or apimlint.toml, \"xml\" or \"properties\"
for a home file (see `apimlint-home-file-regexp'), nil for any other."
  (let ((file (buffer-file-name (or buffer (current-buffer)))))
    (when (and file (not (file-remote-p file)))
      (cond ((string-match-p apimlint-file-regexp (file-name-nondirectory file)) "toml")
            ((string-match-p apimlint-home-file-regexp
                             (replace-regexp-in-string "\\\\" "/" (expand-file-name file)))
             (if (string-suffix-p ".xml" file t) "xml" "properties"))))))

(defun apimlint--file-p (&optional buffer)
  "Non-nil if BUFFER (default: the current one) visits an apimlint file."
  (and (apimlint--language-id buffer) t))

(defun apimlint--modes ()
  "Every major mode apimlint is hooked into."
  (delete-dups (append (copy-sequence apimlint-major-modes)
                       (mapcar #'car apimlint-home-major-modes))))

(defun apimlint--mode-specs (language)
  "The modes of the `eglot-server-programs' entry, for a buffer of LANGUAGE.
The current major mode comes first, with LANGUAGE; then every other mode
of `apimlint-major-modes' and `apimlint-home-major-modes'.  One entry, so
one server manages a deployment's TOML, XML and properties buffers."
  (cons (list major-mode :language-id language)
        (delq nil
              (mapcar (lambda (mode)
                        (unless (eq mode major-mode)
                          (list mode :language-id
                                (or (cdr (assq mode apimlint-home-major-modes)) "toml"))))
                      (apimlint--modes)))))

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

(defvar-local apimlint--set-up nil
  "Non-nil once `apimlint-eglot-setup-buffer' has run in this major mode.")

(defun apimlint-eglot-setup-buffer ()
  "Set up the current buffer for apimlint if it visits an apimlint file."
  (let ((language (apimlint--language-id)))
    ;; a mode's hooks and its parents' run in turn (conf-toml-mode,
    ;; conf-javaprop-mode: conf-mode-hook too): once is enough
    (when (and language (not apimlint--set-up))
      (setq apimlint--set-up t)
      (add-hook 'project-find-functions #'apimlint--project-find nil t)
      (setq-local eglot-server-programs
                  (cons (cons (apimlint--mode-specs language) #'apimlint--contact)
                        (default-value 'eglot-server-programs)))
      (when apimlint-auto-start
        (eglot-ensure)))))

(dolist (mode (apimlint--modes))
  (add-hook (intern (format "%s-hook" mode)) #'apimlint-eglot-setup-buffer))

;; Buffers that were already open when this file was loaded.
(dolist (buffer (buffer-list))
  (with-current-buffer buffer
    (when (and (apply #'derived-mode-p (apimlint--modes))
               (apimlint--file-p)
               (not (bound-and-true-p eglot--managed-mode)))
      (apimlint-eglot-setup-buffer))))

(provide 'apimlint)
;;; apimlint.el ends here
