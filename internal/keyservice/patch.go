package keyservice

// Optional is a merge-patch field: absent (Set false), cleared with null
// (Set true, Value nil) or set to a value.
type Optional[T any] struct {
	Set   bool
	Value *T
}
