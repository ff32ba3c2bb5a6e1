package ui

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// savedDir is where the console keeps files it writes for later (exported
// check reports, saved flows): next to the config in sub, or the working
// directory when there is no config (the demo).
func (c *Common) savedDir(sub string) string {
	if p := c.Deps.ConfigPath; p != "" {
		return filepath.Join(filepath.Dir(p), sub)
	}
	return "."
}

// errNoSavedFile: no file matched; the caller says how to make one.
var errNoSavedFile = errors.New("no saved file")

// readNewest opens the newest file in dir matching pattern (the names carry
// their time, so the last in order), other than skip, and reads it. It runs
// inside a Cmd.
func readNewest(dir, pattern, skip string, read func(io.Reader) error) (string, error) {
	all, _ := filepath.Glob(filepath.Join(dir, pattern))
	var files []string
	for _, f := range all {
		if f != skip {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return "", errNoSavedFile
	}
	sort.Strings(files)
	path := files[len(files)-1]
	f, err := os.Open(path)
	if err != nil {
		return path, err
	}
	defer func() { _ = f.Close() }()
	return path, read(f)
}
