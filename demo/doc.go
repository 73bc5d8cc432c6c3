// Package demo builds a realistic demo region through app commands.
package demo
