// Package web serves Kruzhok's public catalogue: programmes, municipal parameters and the rules, with no personal data.
package web
