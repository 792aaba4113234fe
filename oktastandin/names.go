package oktastandin

// person is a name as shown and as folded to ASCII for logins.
type person struct{ shown, ascii string }

// culture is a naming tradition the generator draws from. eastern puts the
// family name first in display names, with no space.
type culture struct {
	weight  int
	eastern bool
	firsts  []person
	lasts   []person
}

// cultures mix common English names with names that exercise Unicode
// handling, apostrophes, hyphens and CJK scripts.
var cultures = []culture{
	{weight: 36, firsts: ps(
		"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
		"David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica",
		"Thomas", "Sarah", "Charles", "Karen", "Christopher", "Nancy", "Daniel", "Lisa",
		"Matthew", "Betty", "Anthony", "Margaret", "Mark", "Sandra", "Mary-Kate", "Ashley",
	), lasts: ps(
		"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
		"Anderson", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White",
		"Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "Allen", "King",
		"Smith-Jones", "Wright", "Scott", "Green", "Baker", "Adams",
	)},
	{weight: 5, firsts: []person{
		{"Zoë", "zoe"}, {"Chloé", "chloe"}, {"Hélène", "helene"}, {"François", "francois"},
		{"Jérôme", "jerome"}, {"Anaïs", "anais"}, {"Élodie", "elodie"}, {"Noël", "noel"},
		{"Jean-Luc", "jean-luc"}, {"Anne-Marie", "anne-marie"},
	}, lasts: []person{
		{"Lefèvre", "lefevre"}, {"Dubois", "dubois"}, {"Moreau", "moreau"},
		{"Girard", "girard"}, {"Bélanger", "belanger"}, {"D'Amboise", "damboise"},
		{"Côté", "cote"}, {"Leroy-Beaulieu", "leroy-beaulieu"},
	}},
	{weight: 4, firsts: []person{
		{"Søren", "soren"}, {"Bjørn", "bjorn"}, {"Åsa", "asa"}, {"Ingrid", "ingrid"},
		{"Märta", "marta"}, {"Linnéa", "linnea"},
	}, lasts: []person{
		{"Sørensen", "sorensen"}, {"Ødegaard", "odegaard"}, {"Løkke", "lokke"},
		{"Åberg", "aberg"}, {"Lindqvist", "lindqvist"},
	}},
	{weight: 5, firsts: []person{
		{"Łukasz", "lukasz"}, {"Paweł", "pawel"}, {"Małgorzata", "malgorzata"},
		{"Wojciech", "wojciech"}, {"Agnieszka", "agnieszka"}, {"Zofia", "zofia"},
	}, lasts: []person{
		{"Kowalski", "kowalski"}, {"Wiśniewski", "wisniewski"}, {"Wójcik", "wojcik"},
		{"Łukaszewicz", "lukaszewicz"}, {"Nowak", "nowak"}, {"Żak", "zak"},
	}},
	{weight: 6, firsts: []person{
		{"Jürgen", "juergen"}, {"Günther", "guenther"}, {"Käthe", "kaethe"},
		{"Lena", "lena"}, {"Uwe", "uwe"}, {"Jörg", "joerg"}, {"Mia", "mia"},
	}, lasts: []person{
		{"Müller", "mueller"}, {"Schröder", "schroeder"}, {"Weiß", "weiss"},
		{"Groß", "gross"}, {"Böhm", "boehm"}, {"Schmidt", "schmidt"}, {"Fischer", "fischer"},
	}},
	{weight: 10, firsts: []person{
		{"José", "jose"}, {"María", "maria"}, {"Sofía", "sofia"}, {"Ángel", "angel"},
		{"Iñaki", "inaki"}, {"Lucía", "lucia"}, {"Carlos", "carlos"}, {"Camila", "camila"},
	}, lasts: []person{
		{"García", "garcia"}, {"Hernández", "hernandez"}, {"López", "lopez"},
		{"González", "gonzalez"}, {"Rodríguez", "rodriguez"}, {"Martínez", "martinez"},
		{"García-Márquez", "garcia-marquez"}, {"Núñez", "nunez"}, {"Peña", "pena"},
	}},
	{weight: 4, firsts: []person{
		{"Siobhán", "siobhan"}, {"Seán", "sean"}, {"Niamh", "niamh"}, {"Aoife", "aoife"},
		{"Ciarán", "ciaran"},
	}, lasts: []person{
		{"O'Brien", "obrien"}, {"O'Connor", "oconnor"}, {"O'Sullivan", "osullivan"},
		{"Ní Bhriain", "nibhriain"}, {"McCarthy", "mccarthy"},
	}},
	{weight: 6, firsts: ps("Priya", "Arjun", "Ananya", "Rahul", "Aditi", "Vikram"),
		lasts: ps("Patel", "Sharma", "Iyer", "Reddy", "Gupta", "Nair")},
	{weight: 6, eastern: true, firsts: []person{
		{"伟", "wei"}, {"芳", "fang"}, {"秀英", "xiuying"}, {"敏", "min"}, {"静", "jing"},
		{"磊", "lei"}, {"洋", "yang"}, {"婷", "ting"},
	}, lasts: []person{
		{"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"},
		{"欧阳", "ouyang"},
	}},
	{weight: 5, eastern: true, firsts: []person{
		{"翔太", "shota"}, {"さくら", "sakura"}, {"陽菜", "hina"}, {"大輝", "daiki"},
		{"結衣", "yui"}, {"健", "ken"},
	}, lasts: []person{
		{"佐藤", "sato"}, {"鈴木", "suzuki"}, {"高橋", "takahashi"}, {"田中", "tanaka"},
		{"渡辺", "watanabe"},
	}},
	{weight: 3, firsts: []person{
		{"Ayşe", "ayse"}, {"Mehmet", "mehmet"}, {"Çağla", "cagla"}, {"Emre", "emre"},
	}, lasts: []person{
		{"Yılmaz", "yilmaz"}, {"Öztürk", "ozturk"}, {"Şahin", "sahin"}, {"Çelik", "celik"},
	}},
	{weight: 2, firsts: []person{
		{"Minh", "minh"}, {"Thảo", "thao"}, {"Anh", "anh"},
	}, lasts: []person{
		{"Nguyễn", "nguyen"}, {"Trần", "tran"}, {"Phạm", "pham"},
	}},
}

// ps builds persons whose names are already ASCII.
func ps(names ...string) []person {
	out := make([]person, len(names))
	for i, n := range names {
		out[i] = person{n, asciiLower(n)}
	}
	return out
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// departments and their titles.
var departments = []struct {
	name   string
	titles []string
}{
	{"Engineering", []string{"Software Engineer", "Senior Software Engineer", "Staff Engineer",
		"Engineering Manager"}},
	{"Sales", []string{"Account Executive", "Sales Development Rep", "Regional Sales Director"}},
	{"Marketing", []string{"Product Marketing Manager", "Content Strategist", "Designer"}},
	{"Finance", []string{"Accountant", "Financial Analyst", "Controller"}},
	{"People", []string{"Recruiter", "HR Business Partner", "People Operations Lead"}},
	{"Facilities", []string{"Mailroom Clerk", "Office Manager", "Receptionist",
		"Facilities Coordinator"}},
	{"Support", []string{"Support Engineer", "Customer Success Manager"}},
	{"Legal", []string{"Counsel", "Paralegal"}},
	{"R&D", []string{"Research Scientist", "Lab Technician"}},
}

// groupNames are realistic group names, a few of them non-ASCII.
var groupNames = []string{
	"Engineering", "Sales", "Marketing", "Finance", "People Ops", "Facilities",
	"Mailroom Staff", "NYC Office", "London Office", "Équipe Paris", "東京オフィス",
	"Contractors", "Executives", "Support Tier 2", "R&D", "Interns 2024",
	"Building B – 3rd Floor", "München Büro", "Remote Workers", "Legal & Compliance",
}

var cities = []struct{ city, tz, locale string }{
	{"New York", "America/New_York", "en_US"},
	{"San Francisco", "America/Los_Angeles", "en_US"},
	{"London", "Europe/London", "en_GB"},
	{"Paris", "Europe/Paris", "fr_FR"},
	{"München", "Europe/Berlin", "de_DE"},
	{"Kraków", "Europe/Warsaw", "pl_PL"},
	{"Tokyo", "Asia/Tokyo", "ja_JP"},
	{"Shanghai", "Asia/Shanghai", "zh_CN"},
}
