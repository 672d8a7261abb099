package ewssim

//go:generate go run ./schemagen -out schema_gen.go

// Content-model kinds of a schema particle.
const (
	pElem = iota
	pSeq
	pChoice
	pAll
	pAny
)

// particle is one node of an XSD content model (element, sequence, choice, all, any).
type particle struct {
	K        int
	N        string // qualified element name ("t:ItemId") or namespace rule for pAny
	T        string // element type
	Min, Max int    // Max -1 = unbounded
	Kids     []*particle
}

// attrDef is one declared attribute; Name "*" stands for anyAttribute.
type attrDef struct {
	Name     string
	Type     string
	Required bool
}

// complexType is a flattened XSD complex type: Base's content comes first.
type complexType struct {
	Base    string
	Simple  string
	Mixed   bool
	Content *particle
	Attrs   []attrDef
}

// simpleType is an XSD simple type with the facets the schema uses.
type simpleType struct {
	Base             string
	Enum             []string
	MinIncl, MaxIncl string
	MinLen, Len      int
	Pattern          string
	List             string
	Union            []string
}
