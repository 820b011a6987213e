package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	mixerpb "istio.io/api/mixer/v1"
)

// readGlobalDictionary reads Istio's own mixer/v1/global_dictionary.yaml (from the istio.io/api
// module) the way Envoy's and Mixer's generators read it: every line starting with "-", the dash
// dropped and the rest trimmed; quote characters are kept.
func readGlobalDictionary(path string) ([]string, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	var words []string
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if strings.HasPrefix(line, "-") {
			words = append(words, strings.TrimSpace(line[1:]))
		}
	}
	return words, scanner.Err()
}

// dictionary encodes words as Envoy's Mixer client does: a global word below the usable count
// goes by its global index, every other word is interned in the message's own words (-1 is
// words[0]).
type dictionary struct {
	global      map[string]int32
	globalCount int
	words       []string
	local       map[string]int32
}

func newDictionary(globalWords []string, globalCount int) *dictionary {
	global := make(map[string]int32, len(globalWords))
	for i, word := range globalWords {
		global[word] = int32(i)
	}
	return &dictionary{global: global, globalCount: globalCount, local: map[string]int32{}}
}

func (d *dictionary) index(word string) int32 {
	if i, ok := d.global[word]; ok && int(i) < d.globalCount {
		return i
	}
	if i, ok := d.local[word]; ok {
		return i
	}
	d.words = append(d.words, word)
	i := int32(-len(d.words))
	d.local[word] = i
	return i
}

func (d *dictionary) stringMap(entries map[string]string) mixerpb.StringMap {
	out := mixerpb.StringMap{Entries: map[int32]int32{}}
	for k, v := range entries {
		out.Entries[d.index(k)] = d.index(v)
	}
	return out
}

// decodeReferenced reads ReferencedAttributes as Envoy's check cache does: words resolve against
// the full global dictionary plus the message's own words. It returns the matches as text
// ("name", "-name", "map[key]", "-map[key]") and false when an index names no word or a
// condition is REGEX.
func decodeReferenced(ref *mixerpb.ReferencedAttributes, globalWords []string) ([]string, bool) {
	if ref == nil {
		return nil, false
	}
	lookup := func(index int32) (string, bool) {
		if index >= 0 {
			if int(index) < len(globalWords) {
				return globalWords[index], true
			}
			return "", false
		}
		slot := int(-index - 1)
		if slot < len(ref.Words) {
			return ref.Words[slot], true
		}
		return "", false
	}
	valid := true
	var out []string
	for _, match := range ref.AttributeMatches {
		name, ok := lookup(match.Name)
		if !ok {
			valid = false
			continue
		}
		text := name
		if match.MapKey != 0 {
			key, ok := lookup(match.MapKey)
			if !ok {
				valid = false
				continue
			}
			text = fmt.Sprintf("%s[%s]", name, key)
		}
		switch match.Condition {
		case mixerpb.ABSENCE:
			out = append(out, "-"+text)
		case mixerpb.EXACT:
			out = append(out, text)
		default:
			valid = false
		}
	}
	return out, valid
}

// maxIndexes returns the largest global index used for a name and for a map key.
func maxIndexes(ref *mixerpb.ReferencedAttributes) (int32, int32) {
	var name, key int32 = -1, -1
	if ref == nil {
		return name, key
	}
	for _, match := range ref.AttributeMatches {
		if match.Name > name {
			name = match.Name
		}
		if match.MapKey > key {
			key = match.MapKey
		}
	}
	return name, key
}
