package app

// Kind names a type of stored record. The store keeps one bucket per kind.
type Kind string

// The kinds of records.
const (
	KindRegion       Kind = "region"
	KindMunicipality Kind = "municipality"
	KindDirection    Kind = "direction"
	KindParams       Kind = "params"
	KindQuota        Kind = "quota"
	KindProvider     Kind = "provider"
	KindProgramme    Kind = "programme"
	KindModule       Kind = "module"
	KindListing      Kind = "listing"
	KindGroup        Kind = "group"
	KindChild        Kind = "child"
	KindCertificate  Kind = "certificate"
	KindRequest      Kind = "request"
	KindContract     Kind = "contract"
	KindLesson       Kind = "lesson"
	KindInvoice      Kind = "invoice"
)

// Kinds lists every kind, in the order a reader of a dump expects.
var Kinds = []Kind{KindRegion, KindMunicipality, KindDirection, KindParams, KindQuota,
	KindProvider, KindProgramme, KindModule, KindListing, KindGroup, KindChild,
	KindCertificate, KindRequest, KindContract, KindLesson, KindInvoice, KindInvite, KindNode,
	KindCertCode, KindGuard, KindAlert}

// Index is one secondary-index entry of a record: records are found by the
// exact Key or a prefix of it, in Key order and then ID order.
type Index struct {
	Name string
	Key  string
}

// Record is anything the store keeps.
type Record interface {
	Kind() Kind
	RecordID() string
	Indexes() []Index
}

// Index names.
const (
	IdxMunicipality = "municipality" // children, certificates, providers by municipality code
	IdxName         = "name"         // children by lower-cased full name
	IdxCertificate  = "certificate"  // contracts by certificate
	IdxGroup        = "group"        // contracts by group|child, lessons by group|date
	IdxProvider     = "provider"     // programmes, groups, contracts, invoices by provider
	IdxProgramme    = "programme"    // modules, groups, listings by programme
	IdxChild        = "child"        // certificates by child
	IdxNumber       = "number"       // certificates by number
	IdxQueue        = "queue"        // waiting requests by municipality|period|arrival
	IdxStatus       = "status"       // contracts by status, programmes by status
)

// Legal types of a municipality.
const (
	MunDistrict = "муниципальный округ"
	MunCity     = "городской округ"
)

// DatedType is a municipality's legal type from a date on.
type DatedType struct {
	From Date
	Type string
}

// Municipality is one of the 33 municipalities of the krai.
type Municipality struct {
	Code  string // "01".."33"
	Name  string
	Types []DatedType // in From order
}

func (m Municipality) Kind() Kind       { return KindMunicipality }
func (m Municipality) RecordID() string { return m.Code }
func (m Municipality) Indexes() []Index { return nil }

// TypeOn returns the legal type in force on d ("" before the first entry).
func (m Municipality) TypeOn(d Date) string {
	t := ""
	for _, dt := range m.Types {
		if dt.From <= d {
			t = dt.Type
		}
	}
	return t
}

// Direction is one of the six directions (направленности).
type Direction struct {
	Code string // "tech", "science", "sport", "art", "tourism", "social"
	Name string
}

func (d Direction) Kind() Kind       { return KindDirection }
func (d Direction) RecordID() string { return d.Code }
func (d Direction) Indexes() []Index { return nil }

// Period is a programme year.
type Period struct {
	ID    string // "2026-2027"
	Start Date
	End   Date
}

// Contains reports whether d falls within the period.
func (p Period) Contains(d Date) bool { return d >= p.Start && d <= p.End }

// Region is the single record of regional settings.
type Region struct {
	Periods     []Period
	Current     string // ID of the current period
	Next        string // ID of the next period
	PriceCapPct int64  // regional cap: P ≤ NS × cap / 100
	LastClosed  Month  // the last month closed by CloseMonth (0 = none)
}

func (r Region) Kind() Kind       { return KindRegion }
func (r Region) RecordID() string { return "region" }
func (r Region) Indexes() []Index { return nil }

// Period returns the period with the id.
func (r Region) Period(id string) (Period, bool) {
	for _, p := range r.Periods {
		if p.ID == id {
			return p, true
		}
	}
	return Period{}, false
}

// PeriodOn returns the period containing d.
func (r Region) PeriodOn(d Date) (Period, bool) {
	for _, p := range r.Periods {
		if p.Contains(d) {
			return p, true
		}
	}
	return Period{}, false
}

// Municipal modes.
const (
	ModeAccounting = "accounting"
	ModeFinancing  = "financing"
)

// Params are a municipality's parameters for one period.
type Params struct {
	Municipality    string
	Period          string
	Mode            string           // ModeAccounting or ModeFinancing
	Quota           int64            // number of financing certificates
	Nominal         int64            // kopecks per financing certificate
	SumLimit        int64            // optional limit on the sum of nominals; 0 = none
	DirectionLimits map[string]int64 // optional: direction → simultaneous funded enrolments
	DaysToRequest   int              // N ≥ 5: days to the first contract request
	Population      int64            // children aged 5–18 living there
	BudgetLimit     int64            // kopecks for the period
}

func (p Params) Kind() Kind       { return KindParams }
func (p Params) RecordID() string { return p.Municipality + "/" + p.Period }
func (p Params) Indexes() []Index { return nil }

// Quota is the server's running count of a municipality's financing
// certificates in a period; the store keeps it so that the FIFO decision needs
// no scan.
type Quota struct {
	Municipality string
	Period       string
	Active       int64            // active financing certificates
	SumNominals  int64            // their nominals
	Arrivals     uint64           // requests that ever arrived
	Turns        uint64           // requests that were ever served
	Waiting      int64            // requests in the queue
	Directions   map[string]int64 // funded contracts in force by direction
	Committed    int64            // Σ reserved + paid of its certificates' ledgers: what the budget limit bounds
}

func (q Quota) Kind() Kind       { return KindQuota }
func (q Quota) RecordID() string { return q.Municipality + "/" + q.Period }
func (q Quota) Indexes() []Index { return nil }

// Provider types.
const (
	ProviderOrg       = "образовательная организация"
	ProviderTraining  = "организация, осуществляющая обучение"
	ProviderIPStaff   = "ИП с наёмными работниками"
	ProviderIPNoStaff = "ИП без работников"
	ProviderNew       = "new"
	ProviderActive    = "active"
	ProviderSuspended = "suspended"
)

// Provider (исполнитель) offers programmes.
type Provider struct {
	ID           string
	Name         string
	Type         string
	Municipality string
	INN          string
	Licence      string
	Status       string
}

func (p Provider) Kind() Kind       { return KindProvider }
func (p Provider) RecordID() string { return p.ID }
func (p Provider) Indexes() []Index { return []Index{{IdxMunicipality, p.Municipality}} }

// Programme statuses.
const (
	ProgDraft     = "draft"
	ProgSubmitted = "submitted"
	ProgCertified = "certified"
	ProgDenied    = "denied"
	ProgArchived  = "archived"
)

// Programme forms.
var Forms = []string{"очная", "очно-заочная", "заочная", "очная, дистанционно", "очно-заочная, дистанционно", "заочная, дистанционно"}

// Programme is a provider's programme of additional education.
type Programme struct {
	ID          string
	Provider    string
	Title       string
	Direction   string
	AgeMin      int
	AgeMax      int
	Form        string
	Description string
	Status      string
	DenyReason  string
}

func (p Programme) Kind() Kind       { return KindProgramme }
func (p Programme) RecordID() string { return p.ID }
func (p Programme) Indexes() []Index {
	return []Index{{IdxProvider, p.Provider}, {IdxStatus, p.Status}}
}

// Module is a part of a programme with its own price.
type Module struct {
	ID          string
	Programme   string
	Name        string
	Hours       int
	Months      int
	MinChildren int
	MaxChildren int
	Price       int64 // P, kopecks for the whole module
	NormPrice   int64 // NS, normative price, kopecks
	Contracts   int64 // contracts ever made on it: the price is frozen once > 0
}

func (m Module) Kind() Kind       { return KindModule }
func (m Module) RecordID() string { return m.ID }
func (m Module) Indexes() []Index { return []Index{{IdxProgramme, m.Programme}} }

// Listing puts a programme in a municipality's registry of educational
// programmes (municipal assignment).
type Listing struct {
	Municipality string
	Programme    string
	Places       int64 // cap on simultaneous enrolments; 0 = no cap
	Enrolled     int64
}

func (l Listing) Kind() Kind       { return KindListing }
func (l Listing) RecordID() string { return l.Municipality + "/" + l.Programme }
func (l Listing) Indexes() []Index {
	return []Index{{IdxMunicipality, l.Municipality}, {IdxProgramme, l.Programme}}
}

// Slot is one weekly lesson of a group's schedule; times are minutes after midnight.
type Slot struct {
	Weekday int // 1 = Monday … 7 = Sunday
	Start   int
	End     int
	Room    string
	Address string
}

// Group is a class of children studying one module.
type Group struct {
	ID        string
	Module    string
	Programme string
	Provider  string
	Name      string
	Start     Date
	End       Date
	Capacity  int64
	AgeMin    int
	AgeMax    int
	Schedule  []Slot
	EnrolFrom Date
	EnrolTo   Date
	Taken     int64 // requested + active contracts
}

func (g Group) Kind() Kind       { return KindGroup }
func (g Group) RecordID() string { return g.ID }
func (g Group) Indexes() []Index {
	return []Index{{IdxProvider, g.Provider}, {IdxProgramme, g.Programme}}
}

// Free returns the free places.
func (g Group) Free() int64 { return g.Capacity - g.Taken }

// Child is a child with the guardian's consent to processing personal data.
type Child struct {
	ID            string
	LastName      string
	FirstName     string
	MiddleName    string
	BirthDate     Date
	Municipality  string
	GuardianName  string
	GuardianPhone string
	ConsentDate   Date
	ConsentBy     string // who recorded the consent
	SNILS         string
	Registered    string   // node that registered the child
	Providers     []string // providers the child applied to: they see the child (RULES.md §10)
	Erased        Date     `json:",omitempty"` // the day erase_child removed the personal data; 0 while kept
}

func (c Child) Kind() Kind       { return KindChild }
func (c Child) RecordID() string { return c.ID }
func (c Child) Indexes() []Index {
	if !c.Erased.IsZero() {
		return []Index{{IdxMunicipality, c.Municipality}} // an anonymous record has no name to find
	}
	return []Index{{IdxMunicipality, c.Municipality}, {IdxName, NameKey(c.FullName())}}
}

// FullName is "Фамилия Имя Отчество".
func (c Child) FullName() string {
	n := c.LastName + " " + c.FirstName
	if c.MiddleName != "" {
		n += " " + c.MiddleName
	}
	return n
}

// Certificate kinds and statuses.
const (
	CertAccounting = "accounting"
	CertFinancing  = "financing"
	CertActive     = "active"
	CertFrozen     = "frozen"
)

// Ledger is a certificate's money in one period. Invariant:
// Balance + Reserved + Paid == Nominal, every term ≥ 0.
type Ledger struct {
	Period   string
	Nominal  int64
	Balance  int64
	Reserved int64
	Paid     int64
}

// Holds reports whether the ledger equation and non-negativity hold.
func (l Ledger) Holds() bool {
	return l.Balance >= 0 && l.Reserved >= 0 && l.Paid >= 0 && l.Nominal >= 0 &&
		l.Balance+l.Reserved+l.Paid == l.Nominal
}

// Certificate is a child's personal certificate of additional education.
type Certificate struct {
	ID             string
	Child          string
	Number         string // 26-MM-NNNNNN, assigned by the authority
	Municipality   string
	Type           string // CertAccounting or CertFinancing
	Status         string // CertActive or CertFrozen
	Issued         Date
	FinancingSince Date   // when it became a financing certificate
	FinancingUntil Date   // the last day to make a first contract request
	Period         string // the period of its financing
	Ledgers        []Ledger
	Requests       int64    // contract requests ever made while financing
	Providers      []string // providers the child applied to: they see the certificate
	// Unconfirmed: issued by a provider's node and not yet confirmed by the
	// municipality (RULES.md §3); it cannot be financed, enrolled or counted.
	Unconfirmed bool
	IssuedBy    string     // the scope of the node that issued it: a provider's asks for confirmation
	Declined    []Declined // providers that declined the child's application, and when
}

func (c Certificate) Kind() Kind       { return KindCertificate }
func (c Certificate) RecordID() string { return c.ID }
func (c Certificate) Indexes() []Index {
	return []Index{{IdxChild, c.Child}, {IdxMunicipality, c.Municipality}, {IdxNumber, c.Number}}
}

// Ledger returns the ledger of a period (zero if none).
func (c *Certificate) Ledger(period string) *Ledger {
	for i := range c.Ledgers {
		if c.Ledgers[i].Period == period {
			return &c.Ledgers[i]
		}
	}
	c.Ledgers = append(c.Ledgers, Ledger{Period: period})
	return &c.Ledgers[len(c.Ledgers)-1]
}

// LedgerOf returns a copy of the ledger of a period without adding one.
func (c Certificate) LedgerOf(period string) Ledger {
	for _, l := range c.Ledgers {
		if l.Period == period {
			return l
		}
	}
	return Ledger{Period: period}
}

// Request statuses.
const (
	ReqPending   = "pending" // recorded by a node, not yet decided by the server
	ReqWaiting   = "waiting"
	ReqServed    = "served"
	ReqCancelled = "cancelled"
)

// Request is a request to turn a certificate into a financing one; requests
// are served strictly in order of arrival.
type Request struct {
	ID           string
	Certificate  string
	Municipality string
	Period       string
	Arrival      uint64 // order of arrival at the authority
	Date         Date
	Status       string
	Served       Date
	Turn         uint64 // order of serving: equals the order of arrival
}

func (r Request) Kind() Kind       { return KindRequest }
func (r Request) RecordID() string { return r.ID }
func (r Request) Indexes() []Index {
	if r.Status != ReqWaiting {
		return []Index{{IdxCertificate, r.Certificate}}
	}
	return []Index{{IdxCertificate, r.Certificate},
		{IdxQueue, r.Municipality + "|" + r.Period + "|" + pad20(r.Arrival)}}
}

// Contract statuses.
const (
	ContractRequested   = "requested"
	ContractActive      = "active"
	ContractRejected    = "rejected"
	ContractTerminating = "terminating"
	ContractClosed      = "closed"
)

// Quote is the money of a contract, all in kopecks (RULES.md §6).
type Quote struct {
	Days        int64 // Dc
	GroupDays   int64 // Dg
	Months      int64 // M
	FirstDays   int64 // D1
	All         int64
	Norm        int64
	Cert        int64
	Parent      int64
	CertFirst   int64
	CertOther   int64
	ParentFirst int64
	ParentOther int64
}

// MonthShare is one month of a contract's schedule.
type MonthShare struct {
	Month      Month
	Cert       int64 // certificate share of the month
	Parent     int64 // family share of the month
	WrittenOff bool  // moved from reserved to paid at month close
	Settled    bool  // final invoice computed
	SettledIn  Month // the month of the final invoice it settled into
	Due        int64 // certificate share due after completeness
	Returned   bool  // returned to the balance on termination
}

// Contract is an enrolment of a child in a group.
type Contract struct {
	ID           string
	Number       string // ДД-27-2026-000123, assigned by the authority ("" on a node until the pull)
	Certificate  string
	Child        string
	Group        string
	Module       string
	Programme    string
	Provider     string
	Municipality string // the certificate's municipality: who pays
	Direction    string
	Period       string
	Funded       bool // paid from a financing certificate (certified registry)
	Start        Date
	End          Date
	Quote        Quote
	Schedule     []MonthShare
	Status       string
	Notice       Date
	Reason       string // why rejected or terminated
	Created      Date
}

func (c Contract) Kind() Kind       { return KindContract }
func (c Contract) RecordID() string { return c.ID }
func (c Contract) Indexes() []Index {
	return []Index{{IdxCertificate, c.Certificate}, {IdxGroup, c.Group + "|" + c.Child},
		{IdxProvider, c.Provider}, {IdxStatus, c.Status}}
}

// InForce reports whether the contract binds money (requested, active or terminating).
func (c Contract) InForce() bool {
	return c.Status == ContractActive || c.Status == ContractTerminating || c.Status == ContractRequested
}

// Attendance marks.
const (
	MarkPresent = "present"
	MarkAbsent  = "absent"
	MarkExcused = "excused"
)

// Lesson is one lesson of a group's journal.
type Lesson struct {
	ID        string // group|date|start
	Group     string
	Provider  string
	Date      Date
	Start     int
	Extra     bool              // not from the schedule
	Cancelled bool              // cancelled by the provider
	Marks     map[string]string // child ID → mark
}

func (l Lesson) Kind() Kind       { return KindLesson }
func (l Lesson) RecordID() string { return l.ID }
func (l Lesson) Indexes() []Index {
	return []Index{{IdxGroup, l.Group + "|" + l.Date.String()}}
}

// LessonID is the deterministic ID of a group's lesson on a date and time, so
// two marks of the same lesson land on one record.
func LessonID(group string, d Date, start int) string {
	return group + "|" + d.String() + "|" + pad4(start)
}

// Invoice kinds and statuses.
const (
	InvAdvance   = "advance"
	InvFinal     = "final"
	InvDraft     = "draft"
	InvSubmitted = "submitted"
	InvApproved  = "approved"
	InvPaid      = "paid"
	InvWithdrawn = "withdrawn" // an advance still in draft when the final was drawn
	InvRefunded  = "refunded"  // a negative final: the provider's refund was received
)

// Invoice is a provider's bill to a municipality for a month.
type Invoice struct {
	ID           string // provider|municipality|month|kind
	Number       string // С-27-2026-12-А-0001, assigned by the authority
	Provider     string
	Municipality string
	Month        Month
	Type         string
	Amount       int64
	Max          int64 // the most this invoice may claim
	Status       string
	Due          Date // payment due by
}

func (i Invoice) Kind() Kind       { return KindInvoice }
func (i Invoice) RecordID() string { return i.ID }
func (i Invoice) Indexes() []Index {
	return []Index{{IdxProvider, i.Provider}, {IdxMunicipality, i.Municipality + "|" + i.Month.String()}}
}

// InvoiceID is the deterministic ID of an invoice.
func InvoiceID(provider, mun string, m Month, typ string) string {
	return provider + "|" + mun + "|" + m.String() + "|" + typ
}
