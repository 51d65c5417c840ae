package scan

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Kind is the kind of conversation a message was posted in, named as in
// the channel_type of Slack's message events.
type Kind string

// The kinds of conversation an export holds.
const (
	KindChannel Kind = "channel" // public channel (channels.json)
	KindGroup   Kind = "group"   // private channel (groups.json)
	KindMPIM    Kind = "mpim"    // group direct message (mpims.json)
	KindIM      Kind = "im"      // direct message (dms.json)
)

// Conversation is one conversation of an export: a folder of day files.
type Conversation struct {
	ID   string
	Name string
	Kind Kind
}

// Limits bound what the scan accepts from an archive, against zip bombs.
type Limits struct {
	// MaxTotal is the most bytes all of an archive's entries may declare
	// uncompressed together.
	MaxTotal uint64
	// MaxEntry is the most bytes one entry may declare uncompressed.
	MaxEntry uint64
	// MaxRatio is the highest compression ratio accepted for an entry
	// larger than 1 MiB (Slack's JSON compresses about 10:1).
	MaxRatio uint64
}

// DefaultLimits accept any real export: 256 GiB in all, 4 GiB a file
// (a day of one channel), 200:1.
var DefaultLimits = Limits{MaxTotal: 256 << 30, MaxEntry: 4 << 30, MaxRatio: 200}

// ErrUnsafeArchive is returned for an archive that tries to escape its
// folder or to expand far beyond its size.
var ErrUnsafeArchive = errors.New("unsafe archive")

// source is one file of messages to decode.
type source struct {
	name  string // as shown in errors: a path, or archive.zip!entry
	conv  Conversation
	size  int64
	jsonl bool
	day   time.Time // from the file name; zero when it has none
	open  func() (io.ReadCloser, error)
}

// export is what was found under the paths given to the scan.
type export struct {
	sources []source
	bots    map[string]bool // user ids users.json marks as bots or apps
	closers []io.Closer
	errs    []FileError // metadata files that could not be read
}

func (e *export) Close() error {
	var errs []error
	for _, c := range e.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// openExport finds the message files under each path: a Slack export
// (.zip or folder), a JSON Lines file (.jsonl, .ndjson) or a single day
// file (.json holding an array of messages).
func openExport(paths []string, lim Limits) (*export, error) {
	e := &export{bots: map[string]bool{}}
	for _, p := range paths {
		if err := e.add(p, lim); err != nil {
			e.Close()
			return nil, err
		}
	}
	return e, nil
}

func (e *export) add(p string, lim Limits) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	lower := strings.ToLower(p)
	switch {
	case st.IsDir():
		return e.addFS(os.DirFS(p), p+string(filepath.Separator), nil)
	case strings.HasSuffix(lower, ".zip"):
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		zr, err := zip.NewReader(f, st.Size())
		if err != nil {
			f.Close()
			return fmt.Errorf("%s: not a readable zip archive: %w", p, err)
		}
		e.closers = append(e.closers, f)
		if err := checkArchive(zr, lim); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		sizes := make(map[string]int64, len(zr.File))
		for _, zf := range zr.File {
			sizes[zf.Name] = int64(zf.UncompressedSize64)
		}
		return e.addFS(zr, p+"!", sizes)
	case strings.HasSuffix(lower, ".jsonl") || strings.HasSuffix(lower, ".ndjson"):
		e.sources = append(e.sources, source{name: p, size: st.Size(), jsonl: true, conv: Conversation{Kind: KindChannel},
			open: func() (io.ReadCloser, error) { return os.Open(p) }})
		return nil
	case strings.HasSuffix(lower, ".json"):
		day, _ := time.Parse(time.DateOnly, strings.TrimSuffix(filepath.Base(p), ".json"))
		conv := Conversation{Name: filepath.Base(filepath.Dir(p)), Kind: KindChannel}
		e.sources = append(e.sources, source{name: p, size: st.Size(), day: day, conv: conv,
			open: func() (io.ReadCloser, error) { return os.Open(p) }})
		return nil
	}
	return fmt.Errorf("%s: not a Slack export (.zip or folder), JSON Lines (.jsonl) or day file (.json)", p)
}

// checkArchive refuses an archive whose entries leave its folder, overlap
// (the trick of the densest zip bombs) or declare more than lim allows.
func checkArchive(zr *zip.Reader, lim Limits) error {
	type span struct{ from, to int64 }
	var spans []span
	var total uint64
	for _, zf := range zr.File {
		name := zf.Name
		if strings.Contains(name, `\`) || !filepath.IsLocal(name) && name != "" || path.IsAbs(name) {
			return fmt.Errorf("%w: entry %q points outside the archive", ErrUnsafeArchive, name)
		}
		if zf.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%w: entry %q is a symbolic link", ErrUnsafeArchive, name)
		}
		if zf.UncompressedSize64 > lim.MaxEntry {
			return fmt.Errorf("%w: entry %q declares %d bytes uncompressed (at most %d)", ErrUnsafeArchive, name, zf.UncompressedSize64, lim.MaxEntry)
		}
		if zf.UncompressedSize64 > 1<<20 && zf.UncompressedSize64 > lim.MaxRatio*max(zf.CompressedSize64, 1) {
			return fmt.Errorf("%w: entry %q expands %d:1 (at most %d:1): a zip bomb?", ErrUnsafeArchive, name,
				zf.UncompressedSize64/max(zf.CompressedSize64, 1), lim.MaxRatio)
		}
		total += zf.UncompressedSize64
		if total > lim.MaxTotal {
			return fmt.Errorf("%w: entries declare more than %d bytes uncompressed", ErrUnsafeArchive, lim.MaxTotal)
		}
		if zf.CompressedSize64 == 0 {
			continue
		}
		off, err := zf.DataOffset()
		if err != nil {
			return fmt.Errorf("entry %q: %w", name, err)
		}
		spans = append(spans, span{off, off + int64(zf.CompressedSize64)})
	}
	slices.SortFunc(spans, func(a, b span) int { return int(a.from - b.from) })
	for i := 1; i < len(spans); i++ {
		if spans[i].from < spans[i-1].to {
			return fmt.Errorf("%w: entries share compressed data (a zip bomb)", ErrUnsafeArchive)
		}
	}
	return nil
}

// metaFiles list the conversations of each kind; Slack names a direct
// message's folder by its id, every other by its name.
var metaFiles = []struct {
	file string
	kind Kind
}{
	{"channels.json", KindChannel},
	{"groups.json", KindGroup},
	{"mpims.json", KindMPIM},
	{"dms.json", KindIM},
}

// addFS adds the day files of an export held in fsys (a folder or an
// archive). The export may sit one folder down (an archive of the folder).
func (e *export) addFS(fsys fs.FS, label string, sizes map[string]int64) error {
	root := "."
	if _, err := fs.Stat(fsys, "channels.json"); err != nil {
		if ents, err := fs.ReadDir(fsys, "."); err == nil && len(ents) == 1 && ents[0].IsDir() {
			if _, err := fs.Stat(fsys, path.Join(ents[0].Name(), "channels.json")); err == nil {
				root = ents[0].Name()
			}
		}
	}
	folders := map[string]Conversation{}
	for _, mf := range metaFiles {
		var convs []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		}
		name := path.Join(root, mf.file)
		if err := readJSON(fsys, name, &convs); err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				e.errs = append(e.errs, FileError{File: label + name, Err: err.Error()})
			}
			continue
		}
		for _, c := range convs {
			folder := c.Name
			if mf.kind == KindIM || folder == "" {
				folder = c.ID
			}
			folders[folder] = Conversation{ID: c.ID, Name: c.Name, Kind: mf.kind}
		}
	}
	var users []struct {
		ID    string `json:"id"`
		IsBot bool   `json:"is_bot"`
		IsApp bool   `json:"is_app_user"`
	}
	if err := readJSON(fsys, path.Join(root, "users.json"), &users); err != nil && !errors.Is(err, fs.ErrNotExist) {
		e.errs = append(e.errs, FileError{File: label + path.Join(root, "users.json"), Err: err.Error()})
	}
	for _, u := range users {
		if u.IsBot || u.IsApp {
			e.bots[u.ID] = true
		}
	}
	return fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("%s%s: %w", label, p, err)
		}
		if d.IsDir() || !strings.HasSuffix(p, ".json") {
			return nil
		}
		rel := strings.TrimPrefix(p, root+"/")
		if root == "." {
			rel = p
		}
		folder, file, ok := strings.Cut(rel, "/")
		if !ok || strings.Contains(file, "/") {
			return nil // metadata (channels.json…) or something deeper
		}
		day, err := time.Parse(time.DateOnly, strings.TrimSuffix(file, ".json"))
		if err != nil {
			return nil // not a day file (canvases, integration logs)
		}
		conv, known := folders[folder]
		if !known {
			conv = Conversation{Name: folder, Kind: KindChannel}
		}
		size, ok := sizes[p]
		if !ok {
			if info, err := d.Info(); err == nil {
				size = info.Size()
			}
		}
		e.sources = append(e.sources, source{name: label + p, conv: conv, size: size, day: day,
			open: func() (io.ReadCloser, error) { return fsys.Open(p) }})
		return nil
	})
}

// maxMetaSize bounds a metadata file (users.json of a very large workspace
// is tens of MB).
const maxMetaSize = 512 << 20

func readJSON(fsys fs.FS, name string, v any) error {
	f, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := json.NewDecoder(io.LimitReader(f, maxMetaSize)).Decode(v); err != nil {
		return fmt.Errorf("not a JSON array of objects: %w", err)
	}
	return nil
}
