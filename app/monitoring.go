package app

import (
	"strconv"
)

// The Concept's targets for 31.12.2023 (RULES.md §9).
const (
	TargetAccountingMuns = 33   // municipalities with personalised accounting
	TargetFinancingMuns  = 17   // municipalities with personalised financing, at least
	TargetCoverageBP     = 2500 // children 5–18 with a financing certificate, at least, in basis points (25 %)
)

// DirFigures are the figures of one direction in a municipality or the region.
type DirFigures struct {
	Code, Name string
	Children   int64 // children enrolled at least once in the period (contracts not rejected)
	Contracts  int64 // contracts in force
	Providers  int64 // providers with a certified programme in the direction
	Certified  int64 // certified programmes
}

// Figures are the Concept's figures of one municipality or of the region for
// a period. Money is in kopecks; the coverage is in basis points.
type Figures struct {
	Code, Name string // the municipality; "" and "Ставропольский край" for the region
	HasParams  bool   // the municipality has parameters for the period (personalised accounting)
	Mode       string // ModeAccounting or ModeFinancing; "" without parameters or for the region
	Params     Params // the municipality's parameters (zero for the region)

	Quota      int64 // financing certificates allowed
	Financing  int64 // active financing certificates (the quota's running count)
	Waiting    int64 // requests in the queue
	Population int64 // children aged 5–18
	CoverageBP int64 // Financing / Population in basis points, rounded down; −1 when Population is 0

	BudgetLimit  int64 // kopecks for the period
	SumLimit     int64 // limit on the sum of nominals (0 = none; for the region the sum of the set ones)
	SumNominals  int64 // nominals of the financing certificates (the quota's running sum)
	Certificates int64 // confirmed certificates (of any type) of the municipality
	Nominals     int64 // Σ ledger nominals of the period
	Reserved     int64 // Σ ledger reserved of the period
	Paid         int64 // Σ ledger paid of the period

	Enrolled         int64        // distinct children enrolled at least once in the period
	ContractsInForce int64        // contracts in force of the period
	Directions       []DirFigures // in the directions' code order
}

// CoverageMet reports whether the coverage reaches the Concept's 25 %.
func (f Figures) CoverageMet() bool {
	return f.Population > 0 && f.Financing*10000 >= TargetCoverageBP*f.Population
}

// Free is what is left of the budget limit after the reserved and paid funds.
func (f Figures) Free() int64 { return f.BudgetLimit - f.Reserved - f.Paid }

// Report is the monitoring report of a period (RULES.md §9).
type Report struct {
	Period         string
	Region         Figures
	Municipalities []Figures // in code order
	AccountingMuns int       // municipalities with parameters for the period
	FinancingMuns  int       // of them, in financing mode
}

// AccountingMet and FinancingMet report whether the targets are reached.
func (r Report) AccountingMet() bool { return r.AccountingMuns >= TargetAccountingMuns }
func (r Report) FinancingMet() bool  { return r.FinancingMuns >= TargetFinancingMuns }

// Municipality returns the figures of the municipality code.
func (r Report) Municipality(code string) (Figures, bool) {
	for _, f := range r.Municipalities {
		if f.Code == code {
			return f, true
		}
	}
	return Figures{}, false
}

// RegionName is the name of the region in reports.
const RegionName = "Ставропольский край"

// FormatBP renders basis points as a Russian percentage with two decimals,
// rounded down: 2534 → «25,34 %»; a negative value (no base) is «—».
func FormatBP(bp int64) string {
	if bp < 0 {
		return "—"
	}
	frac := bp % 100
	return strconv.FormatInt(bp/100, 10) + "," + string(rune('0'+frac/10)) + string(rune('0'+frac%10)) + "\u00a0%"
}

// ShareBP is a/b in basis points, rounded down; −1 when b ≤ 0.
func ShareBP(a, b int64) int64 {
	if b <= 0 {
		return -1
	}
	return a * 10000 / b
}

// Monitoring computes the Concept's figures (RULES.md §9) of every
// municipality and of the region for the period ("" = the current one). It
// reads the region, the municipalities, their parameters and quotas, every
// certificate, contract and certified programme. Errors: NO_PARAMETERS when
// the region's reference data is not loaded, EINVALID for an unknown period.
func Monitoring(r Reader, period string) (Report, error) {
	var rep Report
	reg, err := Get[Region](r, "region")
	if ErrorCode(err) == ENOTFOUND {
		return rep, Errorf(NO_PARAMETERS, "Справочники региона не загружены")
	} else if err != nil {
		return rep, err
	}
	if period == "" {
		period = reg.Current
	}
	if _, ok := reg.Period(period); !ok {
		return rep, Errorf(EINVALID, "Неизвестный период «%s»", period)
	}
	rep.Period = period
	muns, err := List[Municipality](r, "", "", 0)
	if err != nil {
		return rep, err
	}
	dirs, err := List[Direction](r, "", "", 0)
	if err != nil {
		return rep, err
	}
	newDirs := func() []DirFigures {
		out := make([]DirFigures, len(dirs))
		for i, d := range dirs {
			out[i] = DirFigures{Code: d.Code, Name: d.Name}
		}
		return out
	}
	dirIndex := map[string]int{}
	for i, d := range dirs {
		dirIndex[d.Code] = i
	}
	rep.Region = Figures{Name: RegionName, Directions: newDirs()}
	byMun := map[string]*Figures{}
	rep.Municipalities = make([]Figures, len(muns))
	for i, m := range muns {
		f := Figures{Code: m.Code, Name: m.Name, Directions: newDirs()}
		p, err := Get[Params](r, m.Code+"/"+period)
		switch {
		case err == nil:
			f.HasParams, f.Mode, f.Params = true, p.Mode, p
			f.Quota, f.Population, f.BudgetLimit, f.SumLimit = p.Quota, p.Population, p.BudgetLimit, p.SumLimit
			rep.AccountingMuns++
			if p.Mode == ModeFinancing {
				rep.FinancingMuns++
			}
		case ErrorCode(err) != ENOTFOUND:
			return rep, err
		}
		q, err := Get[Quota](r, m.Code+"/"+period)
		switch {
		case err == nil:
			f.Financing, f.Waiting, f.SumNominals = q.Active, q.Waiting, q.SumNominals
		case ErrorCode(err) != ENOTFOUND:
			return rep, err
		}
		rep.Municipalities[i] = f
		byMun[m.Code] = &rep.Municipalities[i]
	}

	// The money of the period, from the certificates' ledgers.
	var ferr error
	err = r.Scan(KindCertificate, "", "", func(id string) bool {
		c, err := Get[Certificate](r, id)
		if err != nil {
			ferr = err
			return false
		}
		f := byMun[c.Municipality]
		if f == nil || c.Unconfirmed {
			return true // an unconfirmed certificate is not counted (RULES.md §3)
		}
		l := c.LedgerOf(period)
		f.Certificates++
		f.Nominals += l.Nominal
		f.Reserved += l.Reserved
		f.Paid += l.Paid
		return true
	})
	if err == nil {
		err = ferr
	}
	if err != nil {
		return rep, err
	}

	// Enrolments of the period by direction: a child counts once per
	// direction and once in the total, in the municipality that pays.
	type key struct{ mun, dir, child string }
	seen := map[key]bool{}
	err = r.Scan(KindContract, "", "", func(id string) bool {
		k, err := Get[Contract](r, id)
		if err != nil {
			ferr = err
			return false
		}
		f := byMun[k.Municipality]
		if f == nil || k.Period != period || k.Status == ContractRejected {
			return true
		}
		di, ok := dirIndex[k.Direction]
		for _, sk := range []key{{k.Municipality, k.Direction, k.Child}, {"", k.Direction, k.Child},
			{k.Municipality, "", k.Child}, {"", "", k.Child}} {
			if seen[sk] {
				continue
			}
			seen[sk] = true
			switch {
			case sk.mun != "" && sk.dir != "":
				if ok {
					f.Directions[di].Children++
				}
			case sk.dir != "":
				if ok {
					rep.Region.Directions[di].Children++
				}
			case sk.mun != "":
				f.Enrolled++
			default:
				rep.Region.Enrolled++
			}
		}
		if k.InForce() {
			f.ContractsInForce++
			rep.Region.ContractsInForce++
			if ok {
				f.Directions[di].Contracts++
				rep.Region.Directions[di].Contracts++
			}
		}
		return true
	})
	if err == nil {
		err = ferr
	}
	if err != nil {
		return rep, err
	}

	// Certified programmes and their providers, in the provider's municipality.
	progs, err := List[Programme](r, IdxStatus, ProgCertified, 0)
	if err != nil {
		return rep, err
	}
	provMun := map[string]string{}
	type pk struct{ mun, dir, prov string }
	provSeen := map[pk]bool{}
	for _, p := range progs {
		di, ok := dirIndex[p.Direction]
		if p.Status != ProgCertified || !ok {
			continue
		}
		mun, known := provMun[p.Provider]
		if !known {
			pr, err := Get[Provider](r, p.Provider)
			if err != nil && ErrorCode(err) != ENOTFOUND {
				return rep, err
			}
			mun = pr.Municipality
			provMun[p.Provider] = mun
		}
		rep.Region.Directions[di].Certified++
		if !provSeen[pk{"", p.Direction, p.Provider}] {
			provSeen[pk{"", p.Direction, p.Provider}] = true
			rep.Region.Directions[di].Providers++
		}
		f := byMun[mun]
		if f == nil {
			continue
		}
		f.Directions[di].Certified++
		if !provSeen[pk{mun, p.Direction, p.Provider}] {
			provSeen[pk{mun, p.Direction, p.Provider}] = true
			f.Directions[di].Providers++
		}
	}

	// The region's totals.
	g := &rep.Region
	for i := range rep.Municipalities {
		f := &rep.Municipalities[i]
		f.CoverageBP = ShareBP(f.Financing, f.Population)
		g.Quota += f.Quota
		g.Financing += f.Financing
		g.Waiting += f.Waiting
		g.Population += f.Population
		g.BudgetLimit += f.BudgetLimit
		g.SumLimit += f.SumLimit
		g.SumNominals += f.SumNominals
		g.Certificates += f.Certificates
		g.Nominals += f.Nominals
		g.Reserved += f.Reserved
		g.Paid += f.Paid
	}
	g.CoverageBP = ShareBP(g.Financing, g.Population)
	return rep, nil
}
