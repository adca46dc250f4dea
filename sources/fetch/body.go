package fetch

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// FeedTypes are the media types a feed may be served as. text/html and
// text/plain are included because servers mislabel feeds.
var FeedTypes = []string{
	"application/rss+xml", "application/atom+xml", "application/rdf+xml",
	"application/xml", "text/xml", "application/x-rss+xml", "application/x-atom+xml",
	"application/feed+json", "application/json",
	"text/html", "text/plain",
}

// PageTypes are the media types of an article or listing page.
var PageTypes = []string{"text/html", "application/xhtml+xml"}

// acceptHeader is the Accept request header for a list of media types.
func acceptHeader(accept []string) string {
	switch len(accept) {
	case 0:
		return "*/*"
	case 1:
		return accept[0]
	}
	return strings.Join(accept, ", ")
}

// acceptable reports whether the Content-Type header ct names one of the
// accepted media types; a type/* or */* entry matches broadly. A missing
// Content-Type is acceptable: the body is sniffed instead.
func acceptable(ct string, accept []string) bool {
	if len(accept) == 0 {
		return true
	}
	mt := mediaType(ct)
	if mt == "" {
		return true
	}
	for _, a := range accept {
		a = mediaType(a)
		switch {
		case a == "*/*", strings.EqualFold(a, mt):
			return true
		case strings.HasSuffix(a, "/*"):
			n := len(a) - 1 // keep the slash
			if len(mt) > n && strings.EqualFold(mt[:n], a[:n]) {
				return true
			}
		}
	}
	return false
}

// mediaType is the type/subtype of a Content-Type value, without parameters.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.TrimSpace(ct)
}

// binaryMagic are the openings of formats that are never a page or a feed.
var binaryMagic = []string{
	"\x89PNG\r\n\x1a\n", "GIF87a", "GIF89a", "\xff\xd8\xff", "II*\x00", "MM\x00*",
	"%PDF-", "PK\x03\x04", "PK\x05\x06", "\x1f\x8b", "Rar!\x1a\x07", "7z\xbc\xaf\x27\x1c",
	"\xfd7zXZ\x00", "\x28\xb5\x2f\xfd", "\x7fELF", "OggS", "ID3", "fLaC",
	"\x00\x00\x01\x00", "wOFF", "wOF2", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
}

// isBinary reports whether body is clearly not text: a known binary
// signature, or a NUL byte in its first KiB (unless a UTF-16 or UTF-32 byte
// order mark says NULs are expected).
func isBinary(body []byte) (bool, string) {
	head := body[:min(len(body), 1024)]
	for _, m := range binaryMagic {
		if bytes.HasPrefix(head, []byte(m)) {
			return true, "binary signature"
		}
	}
	if len(head) >= 12 && string(head[:4]) == "RIFF" {
		return true, "binary signature"
	}
	if len(head) >= 12 && string(head[4:8]) == "ftyp" {
		return true, "binary signature"
	}
	if bytes.HasPrefix(head, []byte{0xff, 0xfe}) || bytes.HasPrefix(head, []byte{0xfe, 0xff}) ||
		bytes.HasPrefix(head, []byte{0, 0, 0xfe, 0xff}) {
		return false, ""
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return true, "NUL bytes"
	}
	return false, ""
}

// errRawTooLarge ends a compressed read that goes on too long.
var errRawTooLarge = errors.New("compressed body too large")

// capReader returns errRawTooLarge once more than n bytes have been read.
type capReader struct {
	r io.Reader
	n int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n < 0 {
		return 0, errRawTooLarge
	}
	if int64(len(p)) > c.n+1 {
		p = p[:c.n+1]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	if c.n < 0 {
		return n, errRawTooLarge
	}
	return n, err
}

var (
	gzipPool sync.Pool // *gzip.Reader
	bufPool  = sync.Pool{New: func() any { return new(bytes.Buffer) }}
)

// maxPooledBuffer is the largest read buffer kept for reuse.
const maxPooledBuffer = 2 << 20

// readBody reads resp's body, decoding gzip or deflate itself, and returns at
// most limit decoded bytes: more is ErrTooLarge, or, when truncate is set,
// cut off silently. gzip, what nearly every server sends, is decoded with
// klauspost/compress, which inflates the same bytes faster than the
// standard library.
func readBody(resp *http.Response, limit int64, truncate bool) ([]byte, error) {
	enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	switch enc {
	case "", "identity":
		cl := resp.ContentLength
		if cl > limit && !truncate {
			return nil, fmt.Errorf("%w: content length %d over %d bytes", ErrTooLarge, cl, limit)
		}
		if cl >= 0 && cl <= limit {
			// The transport enforces the length: read into a buffer of exactly that size.
			body := make([]byte, cl)
			if _, err := io.ReadFull(resp.Body, body); err != nil {
				return nil, fmt.Errorf("read body: %w", err)
			}
			return body, nil
		}
		body, err := readLimited(resp.Body, limit, truncate)
		if err != nil && !errors.Is(err, ErrTooLarge) {
			return nil, fmt.Errorf("read body: %w", err)
		}
		return body, err
	case "gzip", "x-gzip":
		raw := &capReader{r: resp.Body, n: rawCap(limit)}
		zr, _ := gzipPool.Get().(*gzip.Reader)
		var err error
		if zr == nil {
			zr, err = gzip.NewReader(raw)
		} else {
			err = zr.Reset(raw)
		}
		if err == io.EOF {
			return []byte{}, nil // an empty body
		}
		if err != nil {
			return nil, decodeErr("gzip", err)
		}
		body, err := readLimited(zr, limit, truncate)
		gzipPool.Put(zr)
		if err != nil {
			return nil, decodeErr("gzip", err)
		}
		return body, nil
	case "deflate":
		// RFC 9110 deflate is zlib-wrapped; some servers send raw deflate.
		br := bufio.NewReader(&capReader{r: resp.Body, n: rawCap(limit)})
		var zr io.ReadCloser
		head, err := br.Peek(2)
		switch {
		case len(head) == 0 && err == io.EOF:
			return []byte{}, nil
		case len(head) == 2 && head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0:
			zr, err = zlib.NewReader(br)
			if err != nil {
				return nil, decodeErr("deflate", err)
			}
		default:
			zr = flate.NewReader(br)
		}
		defer zr.Close()
		body, err := readLimited(zr, limit, truncate)
		if err != nil {
			return nil, decodeErr("deflate", err)
		}
		return body, nil
	default:
		return nil, fmt.Errorf("%w: content encoding %q", ErrContentType, enc)
	}
}

// rawCap bounds the compressed bytes read for a decoded limit: a stream
// that needs far more input than output (empty blocks) is cut off too.
func rawCap(limit int64) int64 { return limit + limit/4 + 64<<10 }

func decodeErr(enc string, err error) error {
	switch {
	case errors.Is(err, ErrTooLarge):
		return err
	case errors.Is(err, errRawTooLarge):
		return fmt.Errorf("%w: %s stream", ErrTooLarge, enc)
	}
	return fmt.Errorf("read %s body: %w", enc, err)
}

// readLimited reads r to its end into a pooled buffer and returns a copy of
// exactly the bytes read. Read errors are returned as they are.
func readLimited(r io.Reader, limit int64, truncate bool) ([]byte, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			bufPool.Put(buf)
		}
	}()
	lr := io.LimitedReader{R: r, N: limit + 1}
	if _, err := buf.ReadFrom(&lr); err != nil {
		return nil, err
	}
	n := int64(buf.Len())
	if n > limit {
		if !truncate {
			return nil, fmt.Errorf("%w: body over %d bytes", ErrTooLarge, limit)
		}
		n = limit
	}
	return bytes.Clone(buf.Bytes()[:n]), nil
}
