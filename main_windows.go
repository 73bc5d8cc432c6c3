//go:build windows

package main

import (
	"log"
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// kruzhok.exe is linked as a GUI program (-H windowsgui): a double click
// opens the window and no black console beside it. Such a program gets no
// console of its own, so when a command (demo, check, export, backup…) is
// typed in cmd.exe or PowerShell, attachConsole borrows the console of the
// program that started it and points stdout and stderr there. Output already
// redirected to a file or a pipe keeps its handle. cmd.exe does not wait for
// a GUI program: `start /wait kruzhok.exe check` waits and sets %ERRORLEVEL%
// (docs/DISTRIBUTION.md).
//
// Started from Explorer or a shortcut there is no console at all: stderr is
// then kept in memory (its last few kilobytes), and a failure, such as a
// database already open in another window, is shown in a message box
// instead of vanishing.
func init() { attachConsole() }

// captured holds the tail of stderr when there is no console to write it to.
var captured struct {
	sync.Mutex
	buf  []byte
	w    *os.File
	done chan struct{}
}

const capturedMax = 4 << 10

func captureStderr() {
	r, w, err := os.Pipe()
	if err != nil {
		return
	}
	captured.w, captured.done = w, make(chan struct{})
	os.Stderr = w
	log.SetOutput(w)
	go func() {
		defer close(captured.done)
		b := make([]byte, 1024)
		for {
			n, err := r.Read(b)
			captured.Lock()
			captured.buf = append(captured.buf, b[:n]...)
			if len(captured.buf) > capturedMax {
				captured.buf = append([]byte(nil), captured.buf[len(captured.buf)-capturedMax:]...)
			}
			captured.Unlock()
			if err != nil {
				return
			}
		}
	}()
}

// showFailure shows what the program said on stderr in a message box when
// it failed with no console to say it on.
func showFailure(code int) {
	if code == 0 || captured.w == nil {
		return
	}
	captured.w.Close()
	<-captured.done
	captured.Lock()
	text := failureText(captured.buf)
	captured.Unlock()
	if text == "" {
		return
	}
	const mbIconError = 0x10
	title, _ := syscall.UTF16PtrFromString("Кружок")
	msg, _ := syscall.UTF16PtrFromString(text)
	box := syscall.NewLazyDLL("user32.dll").NewProc("MessageBoxW")
	box.Call(0, uintptr(unsafe.Pointer(msg)), uintptr(unsafe.Pointer(title)), mbIconError)
}

func attachConsole() {
	out := validHandle(syscall.STD_OUTPUT_HANDLE)
	errh := validHandle(syscall.STD_ERROR_HANDLE)
	if out && errh {
		return
	}
	const attachParentProcess = ^uintptr(0) // ATTACH_PARENT_PROCESS, (DWORD)-1
	attach := syscall.NewLazyDLL("kernel32.dll").NewProc("AttachConsole")
	if r, _, _ := attach.Call(attachParentProcess); r == 0 {
		if !errh {
			captureStderr() // started from Explorer or a shortcut: no console
		}
		return
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
