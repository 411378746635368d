package cmdutil

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
)

// pagedList serves 0..n-1 in pages of at most size (and never more than perPage), recording
// the page sizes asked for.
type pagedList struct {
	n, perPage int
	asked      []int
}

func (l *pagedList) fetch(_ context.Context, size int, token string) ([]int, string, error) {
	l.asked = append(l.asked, size)
	start := 0
	if token != "" {
		var err error
		if start, err = strconv.Atoi(token); err != nil {
			return nil, "", err
		}
	}
	end := min(start+min(size, l.perPage), l.n)
	var items []int
	for i := start; i < end; i++ {
		items = append(items, i)
	}
	next := ""
	if end < l.n {
		next = strconv.Itoa(end)
	}
	return items, next, nil
}

func TestReadPages(t *testing.T) {
	even := func(i int) bool { return i%2 == 0 }
	tests := []struct {
		name       string
		n, perPage int
		page       Page
		keep       func(int) bool
		want       []int
		wantAsked  []int
	}{
		{"first page", 10, 3, Page{Limit: 2}, nil, []int{0, 1}, []int{2}},
		{"offset across pages", 10, 3, Page{Offset: 4, Limit: 3}, nil, []int{4, 5, 6}, []int{7, 7, 7}},
		{"offset past the end", 5, 3, Page{Offset: 7, Limit: 3}, nil, []int{}, []int{10, 10}},
		{"limit past the end", 5, 2, Page{Offset: 3, Limit: 10}, nil, []int{3, 4}, []int{13, 13, 13}},
		// The filter applies before offset and limit, across pages: the 3rd and 4th even numbers.
		{"filtered", 20, 3, Page{Offset: 2, Limit: 2}, even, []int{4, 6}, []int{1000, 1000, 1000}},
		{"filtered, fewer than asked", 7, 2, Page{Offset: 1, Limit: 10}, even, []int{2, 4, 6}, []int{1000, 1000, 1000, 1000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &pagedList{n: tt.n, perPage: tt.perPage}
			got, err := ReadPages(context.Background(), tt.page, tt.keep, l.fetch)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if !slices.Equal(l.asked, tt.wantAsked) {
				t.Errorf("page sizes asked %v, want %v", l.asked, tt.wantAsked)
			}
		})
	}
}

func TestReadPagesRepeatedToken(t *testing.T) {
	_, err := ReadPages(context.Background(), Page{Limit: 100}, nil, func(context.Context, int, string) ([]int, string, error) {
		return []int{1}, "again", nil
	})
	if err == nil || err.Error() != `the key service returned page token "again" twice` {
		t.Fatalf("err = %v, want the repeated token named", err)
	}
}

func TestReadPagesError(t *testing.T) {
	boom := errors.New("boom")
	_, err := ReadPages(context.Background(), Page{Limit: 1}, nil, func(context.Context, int, string) ([]int, string, error) {
		return nil, "", boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
}

func TestPageCheck(t *testing.T) {
	for _, p := range []Page{{Offset: -1, Limit: 1}, {Limit: 0}} {
		if err := p.Check(); ExitCode(err) != ExitUsage {
			t.Errorf("%+v: Check = %v, want a usage error", p, err)
		}
	}
	if err := (Page{Offset: 0, Limit: 1}).Check(); err != nil {
		t.Errorf("Check = %v", err)
	}
}
