//go:build windows

package main

import (
	"log"
	"os"
	"syscall"
)

// kruzhok.exe is linked as a GUI program (-H windowsgui): a double click
// opens the window and no black console beside it. Such a program gets no
// console of its own, so when a command (demo, check, export, backup…) is
// typed in cmd.exe or PowerShell, attachConsole borrows the console of the
// program that started it and points stdout and stderr there. Output already
// redirected to a file or a pipe keeps its handle. cmd.exe does not wait for
// a GUI program: `start /wait kruzhok.exe check` waits and sets %ERRORLEVEL%
// (docs/DISTRIBUTION.md).
func init() { attachConsole() }

func attachConsole() {
	out := validHandle(syscall.STD_OUTPUT_HANDLE)
	errh := validHandle(syscall.STD_ERROR_HANDLE)
	if out && errh {
		return
	}
	const attachParentProcess = ^uintptr(0) // ATTACH_PARENT_PROCESS, (DWORD)-1
	attach := syscall.NewLazyDLL("kernel32.dll").NewProc("AttachConsole")
	if r, _, _ := attach.Call(attachParentProcess); r == 0 {
		return // started from Explorer or a shortcut: there is no console to write to
	}
	con, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0)
	if err != nil {
		return
	}
	if !out {
		os.Stdout = con
	}
	if !errh {
		os.Stderr = con
		log.SetOutput(con)
	}
	if !validHandle(syscall.STD_INPUT_HANDLE) {
		if in, err := os.Open("CONIN$"); err == nil {
			os.Stdin = in
		}
	}
}

func validHandle(std int) bool {
	h, err := syscall.GetStdHandle(std)
	return err == nil && h != 0 && h != syscall.InvalidHandle
}
