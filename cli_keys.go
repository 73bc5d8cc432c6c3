package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"kruzhok/app"
	"kruzhok/keys"
	"kruzhok/store"
)

// Keys of a database at rest (issue 10, docs/SECURITY.md "Keys"): every
// command that opens a database asks dataKeyFor for its data key and passes
// it as store.Options.DataKey. A database without a key file, with no key
// source given, opens as before: plaintext, no prompt.

func init() {
	register("keys", "  kruzhok keys init --data ФАЙЛ [--key-file КЛЮЧ]\n"+
		"                                создать ключ базы (пароль или файл ключа); существующая база шифруется\n"+
		"  kruzhok keys passwd --data ФАЙЛ [--new-key-file КЛЮЧ]\n"+
		"                                сменить пароль (или ключ) базы; данные не меняются\n", cmdKeys)
}

// keyEnv is what dataKeyFor reads from outside the command line: the
// environment and the terminal. A seam for tests.
type keyEnv struct {
	getenv func(string) string
	// prompt asks for a password on the terminal; nil when there is none.
	prompt func(label string) (string, error)
}

// osKeyEnv is the process's environment, prompting on stderr when stdin is
// a terminal.
func osKeyEnv(stderr io.Writer) keyEnv {
	env := keyEnv{getenv: os.Getenv}
	if interactive() {
		in := bufio.NewReader(io.LimitReader(os.Stdin, 1<<20))
		env.prompt = func(label string) (string, error) { return promptPassword(in, stderr, label) }
	}
	return env
}

// interactive guesses whether stdin is a terminal: a character device other
// than the null device (without golang.org/x/term, not a module dependency).
func interactive() bool {
	fi, err := os.Stdin.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}

// promptPassword reads one line with the terminal's echo off (stty, where
// there is one; golang.org/x/term is not a dependency of the module).
func promptPassword(in *bufio.Reader, stderr io.Writer, label string) (string, error) {
	fmt.Fprint(stderr, label)
	if runtime.GOOS != "windows" {
		if stty(false) == nil {
			defer func() { _ = stty(true); fmt.Fprintln(stderr) }()
		}
	}
	line, err := in.ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("пароль не введён (задайте его в %s): %w", keys.EnvPassword, err)
	}
	if len(line) > 1024 {
		return "", errors.New("пароль длиннее 1024 байт")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func stty(echo bool) error {
	arg := "-echo"
	if echo {
		arg = "echo"
	}
	cmd := exec.Command("stty", arg)
	cmd.Stdin = os.Stdin
	return cmd.Run()
}

// keyFileOf is the --key-file of flags (newFlags adds it to every command).
func keyFileOf(flags *flag.FlagSet) string {
	if f := flags.Lookup("key-file"); f != nil {
		return f.Value.String()
	}
	return ""
}

// dataKeyFor is the data key of the database at dbPath: nil when it has no
// key file and no key source is given (a plaintext database, as before).
func dataKeyFor(dbPath string, flags *flag.FlagSet) ([]byte, error) {
	return resolveDataKey(dbPath, keyFileOf(flags), osKeyEnv(os.Stderr))
}

// keyedOptions is opt with the data key of the database at path: the seam
// every command opens a database through.
func keyedOptions(path string, flags *flag.FlagSet, opt store.Options) (store.Options, error) {
	dk, err := dataKeyFor(path, flags)
	if err != nil {
		return opt, err
	}
	opt.DataKey = dk
	return opt, nil
}

// rawSecret is the raw key given for a server or the CLI, first found of:
// --key-file, KRUZHOK_KEY, the systemd credential kruzhok.key.
func rawSecret(dbPath, keyFile string, env keyEnv) (keys.Secret, bool, error) {
	if keyFile != "" {
		s, err := keys.FromKeyFile(keyFile, dbPath)
		return s, true, err
	}
	if s, ok, err := keys.FromEnv(env.getenv); ok || err != nil {
		return s, ok, err
	}
	return keys.FromCredentials(env.getenv)
}

// errPlainWithKey: a key was given for a database that exists unencrypted.
var errPlainWithKey = errors.New("у базы нет файла ключа — она не зашифрована, а ключ или пароль указан " +
	"(--key-file, KRUZHOK_KEY, учётные данные systemd или KRUZHOK_PASSWORD); уберите его " +
	"или зашифруйте базу командой kruzhok keys init")

func resolveDataKey(dbPath, keyFile string, env keyEnv) ([]byte, error) {
	raw, haveRaw, err := rawSecret(dbPath, keyFile, env)
	if err != nil {
		return nil, err
	}
	password := env.getenv(keys.EnvPassword)
	if !keys.Exists(dbPath) {
		if !haveRaw && password == "" {
			return nil, nil // plaintext, as before
		}
		if fileExists(dbPath) {
			return nil, fmt.Errorf("%s: %w", dbPath, errPlainWithKey)
		}
		// A new database, with a key source: it is born sealed.
		secret := raw
		if !haveRaw {
			secret = keys.Password(password)
		}
		if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
			return nil, err
		}
		return keys.Create(dbPath, secret)
	}
	if haveRaw {
		return keys.Open(dbPath, raw)
	}
	wantsPassword, err := keys.Kind(dbPath)
	if err != nil {
		return nil, err
	}
	if !wantsPassword {
		return nil, fmt.Errorf("база %s зашифрована ключом, а не паролем: укажите --key-file, %s "+
			"или учётные данные systemd %s", dbPath, keys.EnvKey, keys.CredentialName)
	}
	if password == "" {
		if env.prompt == nil {
			return nil, fmt.Errorf("база %s защищена паролем: задайте его в %s или запустите команду в терминале",
				dbPath, keys.EnvPassword)
		}
		if password, err = env.prompt("Пароль базы " + dbPath + ": "); err != nil {
			return nil, err
		}
	}
	return keys.Open(dbPath, keys.Password(password))
}

// newPassword asks for a new password twice, or takes it from envName.
func newPassword(env keyEnv, envName string) (keys.Secret, error) {
	if p := env.getenv(envName); p != "" {
		return keys.Password(p), nil
	}
	if env.prompt == nil {
		return keys.Secret{}, fmt.Errorf("задайте новый пароль в %s или запустите команду в терминале", envName)
	}
	p, err := env.prompt("Новый пароль: ")
	if err != nil {
		return keys.Secret{}, err
	}
	again, err := env.prompt("Повторите пароль: ")
	if err != nil {
		return keys.Secret{}, err
	}
	if p != again {
		return keys.Secret{}, errors.New("пароли не совпали")
	}
	if p == "" {
		return keys.Secret{}, keys.ErrEmptyPassword
	}
	return keys.Password(p), nil
}

func cmdKeys(args []string, stdout, stderr io.Writer) int {
	return runKeys(args, stdout, stderr, osKeyEnv(stderr))
}

func runKeys(args []string, stdout, stderr io.Writer, env keyEnv) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "kruzhok keys: укажите init или passwd")
		return exitUsage
	}
	switch args[0] {
	case "init":
		return keysInit(args[1:], stdout, stderr, env)
	case "passwd":
		return keysPasswd(args[1:], stdout, stderr, env)
	}
	fmt.Fprintf(stderr, "kruzhok keys: неизвестная команда «%s»: init или passwd\n", args[0])
	return exitUsage
}

// keysInit makes the key file of a database: for --key-file (or
// KRUZHOK_KEY, or the systemd credential), else for a password from
// KRUZHOK_PASSWORD or asked twice on the terminal. An existing plaintext
// database is then sealed in place and checked (sealExisting).
func keysInit(args []string, stdout, stderr io.Writer, env keyEnv) int {
	flags, data := newFlags("keys init", stderr)
	if !parse(flags, args, stderr) {
		return exitUsage
	}
	path, err := dataPath(*data)
	if err != nil {
		return fail(stderr, "keys init", err)
	}
	if keys.Exists(path) {
		return fail(stderr, "keys init", keys.ErrKeyExists)
	}
	existing := fileExists(path)
	if existing {
		// The plaintext database must open (not locked, not too new, a
		// Kruzhok file) before a key is made for it: a key file beside a
		// database that cannot be sealed would only stop every command.
		db, err := store.Open(path, store.Options{})
		if err != nil {
			return fail(stderr, "keys init", err)
		}
		if err := db.Close(); err != nil {
			return fail(stderr, "keys init", err)
		}
	}
	secret, haveRaw, err := rawSecret(path, keyFileOf(flags), env)
	if err != nil {
		return fail(stderr, "keys init", err)
	}
	if !haveRaw {
		if secret, err = newPassword(env, keys.EnvPassword); err != nil {
			return fail(stderr, "keys init", err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fail(stderr, "keys init", err)
	}
	dk, err := keys.Create(path, secret)
	if err != nil {
		return fail(stderr, "keys init", err)
	}
	if existing {
		if err := sealExisting(path, dk, stderr); err != nil {
			// The key file stays: the store resumes the sealing on the
			// next open with this key, from where it stopped.
			fmt.Fprintf(stderr, "kruzhok keys init: %v\n"+
				"Ключ %s создан; шифрование продолжится при следующем открытии базы с этим ключом "+
				"(например, kruzhok check --data %s).\n", err, keys.KeyPath(path), path)
			return exitFail
		}
	}
	how := "паролем"
	if haveRaw {
		how = "ключом"
	}
	fmt.Fprintf(stdout, "ключ базы %s создан и защищён %s: %s\n"+
		"Забытый пароль не восстановить: узел подключают заново и загружают данные с сервера.\n",
		path, how, keys.KeyPath(path))
	return exitOK
}

// sealExisting seals the plaintext database at path under dk in place
// (store/seal_migrate.go: crash-safe, resumed by the next open with the key),
// telling its progress on stderr, and then checks the sealed database as
// kruzhok check does.
func sealExisting(path string, dk []byte, stderr io.Writer) error {
	last := -1
	progress := func(done, total int) {
		if done == last {
			return
		}
		last = done
		fmt.Fprintf(stderr, "Шифрование базы: %d из %d\n", done, total)
	}
	db, err := store.Open(path, store.Options{DataKey: dk, Progress: progress})
	if err != nil {
		return err
	}
	domain := app.Check
	if !db.Authority() {
		domain = app.CheckNode
	}
	breaches := db.Check(domain)
	if err := db.Close(); err != nil {
		return err
	}
	if len(breaches) > 0 {
		for _, b := range breaches {
			fmt.Fprintln(stderr, b)
		}
		return fmt.Errorf("после шифрования проверка нашла нарушений: %d (kruzhok check --data %s)", len(breaches), path)
	}
	fmt.Fprintln(stderr, "Шифрование базы завершено, проверка пройдена.")
	return nil
}

// keysPasswd re-wraps the data key: the old secret as for any command, the
// new one from --new-key-file, else KRUZHOK_NEW_PASSWORD or asked twice.
func keysPasswd(args []string, stdout, stderr io.Writer, env keyEnv) int {
	flags, data := newFlags("keys passwd", stderr)
	newKeyFile := flags.String("new-key-file", "", "новый файл ключа вместо пароля")
	if !parse(flags, args, stderr) {
		return exitUsage
	}
	path, err := dataPath(*data)
	if err != nil {
		return fail(stderr, "keys passwd", err)
	}
	if !keys.Exists(path) {
		return fail(stderr, "keys passwd", keys.ErrNoKeyFile)
	}
	old, haveRaw, err := rawSecret(path, keyFileOf(flags), env)
	if err != nil {
		return fail(stderr, "keys passwd", err)
	}
	if !haveRaw {
		p := env.getenv(keys.EnvPassword)
		if p == "" && env.prompt != nil {
			p, err = env.prompt("Текущий пароль: ")
		}
		if err != nil {
			return fail(stderr, "keys passwd", err)
		}
		if p == "" {
			return fail(stderr, "keys passwd", fmt.Errorf("задайте текущий пароль в %s или запустите команду в терминале", keys.EnvPassword))
		}
		old = keys.Password(p)
	}
	var secret keys.Secret
	if *newKeyFile != "" {
		secret, err = keys.FromKeyFile(*newKeyFile, path)
	} else {
		secret, err = newPassword(env, "KRUZHOK_NEW_PASSWORD")
	}
	if err != nil {
		return fail(stderr, "keys passwd", err)
	}
	if err := keys.ChangePassword(path, old, secret); err != nil {
		return fail(stderr, "keys passwd", err)
	}
	fmt.Fprintf(stdout, "ключ базы %s перешифрован; данные не менялись\n", path)
	return exitOK
}
