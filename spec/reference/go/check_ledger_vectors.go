// Optional interop check (not run by CI): verifies spec/vectors/ledger.json, and optionally the output of
// `auditwire ledger prove`, with Go's golang.org/x/mod/sumdb/note and sumdb/tlog, the verifiers the ledger's
// formats are meant to satisfy as they are. See spec/LEDGER.md "Checked with Go".
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go run check_ledger_vectors.go ../../vectors/ledger.json [PROOF.json PUBFILE]
//
// Every vector's verdict must equal its `expect.valid`; exit 1 otherwise.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type vector struct {
	Name      string          `json:"name"`
	Check     string          `json:"check"`
	LeafIndex int64           `json:"leafIndex"`
	TreeSize  int64           `json:"treeSize"`
	LeafHash  string          `json:"leafHash"`
	Proof     []string        `json:"proof"`
	Root      string          `json:"root"`
	OldSize   int64           `json:"oldSize"`
	NewSize   int64           `json:"newSize"`
	OldRoot   string          `json:"oldRoot"`
	NewRoot   string          `json:"newRoot"`
	Note      string          `json:"note"`
	PublicKey string          `json:"publicKey"`
	Document  json.RawMessage `json:"document"`
	Expect    struct {
		Valid *bool  `json:"valid"`
		Size  int64  `json:"size"`
		Root  string `json:"root"`
	} `json:"expect"`
}

type proveOutput struct {
	Record     json.RawMessage `json:"record"`
	LeafIndex  int64           `json:"leafIndex"`
	TreeSize   int64           `json:"treeSize"`
	Proof      []string        `json:"proof"`
	Checkpoint string          `json:"checkpoint"`
}

func hash(b64 string) tlog.Hash {
	var h tlog.Hash
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != len(h) {
		panic("bad hash " + b64)
	}
	copy(h[:], raw)
	return h
}

func hashes(list []string) []tlog.Hash {
	out := make([]tlog.Hash, len(list))
	for i, h := range list {
		out[i] = hash(h)
	}
	return out
}

// openCheckpoint verifies the note with sumdb/note and reads the C2SP checkpoint body.
func openCheckpoint(text, publicKey string) (size int64, root tlog.Hash, err error) {
	verifier, err := note.NewVerifier(strings.TrimSpace(publicKey))
	if err != nil {
		return 0, root, err
	}
	n, err := note.Open([]byte(text), note.VerifierList(verifier))
	if err != nil {
		return 0, root, err
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 {
		return 0, root, fmt.Errorf("short checkpoint")
	}
	size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return 0, root, err
	}
	return size, hash(lines[2]), nil
}

// canonical: the record as `ledger prove` prints it is pretty-printed; the leaf is its RFC 8785 form, which for
// these records (string and boolean members only) is Go's compact encoding of a map (keys sorted, no escaping of
// <>& with SetEscapeHTML(false)).
func canonical(record json.RawMessage) []byte {
	var m map[string]interface{}
	if err := json.Unmarshal(record, &m); err != nil {
		panic(err)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		panic(err)
	}
	return []byte(strings.TrimSuffix(b.String(), "\n"))
}

func checkProve(doc []byte, publicKey string) error {
	var p proveOutput
	if err := json.Unmarshal(doc, &p); err != nil {
		return err
	}
	size, root, err := openCheckpoint(p.Checkpoint, publicKey)
	if err != nil {
		return err
	}
	if size != p.TreeSize {
		return fmt.Errorf("tree size differs")
	}
	return tlog.CheckRecord(tlog.RecordProof(hashes(p.Proof)), size, root, p.LeafIndex, tlog.RecordHash(canonical(p.Record)))
}

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var suite struct{ Vectors []vector }
	if err := json.Unmarshal(data, &suite); err != nil {
		panic(err)
	}
	failed, checked, skipped := 0, 0, 0
	for _, v := range suite.Vectors {
		var err error
		switch v.Check {
		case "inclusion":
			if v.LeafIndex >= v.TreeSize {
				err = fmt.Errorf("index past size")
			} else {
				err = tlog.CheckRecord(tlog.RecordProof(hashes(v.Proof)), v.TreeSize, hash(v.Root), v.LeafIndex, hash(v.LeafHash))
			}
		case "consistency":
			if v.OldSize == 0 {
				// tlog.CheckTree takes 0 < n <= t: every tree extends the empty one, nothing to check.
				skipped++
				continue
			}
			if v.OldSize > v.NewSize {
				err = fmt.Errorf("shrinking")
			} else {
				err = tlog.CheckTree(tlog.TreeProof(hashes(v.Proof)), v.NewSize, hash(v.NewRoot), v.OldSize, hash(v.OldRoot))
			}
		case "checkpoint":
			var size int64
			var root tlog.Hash
			size, root, err = openCheckpoint(v.Note, v.PublicKey)
			if err == nil && (size != v.Expect.Size || root != hash(v.Expect.Root)) {
				err = fmt.Errorf("read size %d root %s", size, root)
			}
		case "prove":
			err = checkProve(v.Document, v.PublicKey)
		default:
			skipped++ // leaf and root vectors need no verifier
			continue
		}
		checked++
		if (err == nil) != *v.Expect.Valid {
			failed++
			fmt.Printf("FAIL %s: go says %v, expected valid=%v\n", v.Name, err, *v.Expect.Valid)
		}
	}
	if len(os.Args) == 4 {
		doc, _ := os.ReadFile(os.Args[2])
		key, _ := os.ReadFile(os.Args[3])
		checked++
		if err := checkProve(doc, string(key)); err != nil {
			failed++
			fmt.Printf("FAIL %s: %v\n", os.Args[2], err)
		}
	}
	fmt.Printf("go sumdb/note + sumdb/tlog: %d checked, %d failed, %d not applicable\n", checked, failed, skipped)
	if failed > 0 {
		os.Exit(1)
	}
}
