//go:build !windows

package main

// showFailure does nothing here: a terminal or the desktop session's log
// shows stderr (main_windows.go has the Windows case).
func showFailure(int) {}
