package nextcloudsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
)

// configValue is one row of appconfig_ex or preferences_ex.
type configValue struct {
	id        int
	value     string
	sensitive bool
	// unreadable marks a plaintext value written without "sensitive" over a
	// sensitive row: AppAPI 32 fails to decrypt it and returns "".
	unreadable bool
}

// ocsState holds what the ExApp registered through OCS.
type ocsState struct {
	seq           int
	config        map[string]*configValue
	prefs         map[string]map[string]*configValue
	topMenus      []TopMenu
	scripts       []UIFile
	styles        []UIFile
	initialStates []InitialState
	forms         []json.RawMessage
	notifications []Notification
	logs          []LogEntry
}

func (o *ocsState) init() {
	o.config = map[string]*configValue{}
	o.prefs = map[string]map[string]*configValue{}
}

func (s *Server) ocsConfigSet(q *ocsReq) ocsResult {
	key := q.str("configKey")
	if key == "" {
		return ocsFail(http.StatusBadRequest, "Config key can't be empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sens, hasSens := q.integer("sensitive")
	v := s.setConfigLocked(s.ocs.config, key, q.str("configValue"), hasSens && q.has("sensitive"), sens == 1)
	return ocsOK(omap{{"id", v.id}, {"appid", s.opts.AppID}, {"configkey", key}, {"configvalue", q.str("configValue")}, {"sensitive", b2i(v.sensitive)}})
}

func (s *Server) setConfigLocked(m map[string]*configValue, key, value string, hasSens, sens bool) *configValue {
	v, ok := m[key]
	if !ok {
		s.ocs.seq++
		v = &configValue{id: s.ocs.seq}
		m[key] = v
	}
	v.value = value
	v.unreadable = false
	if hasSens {
		v.sensitive = sens
	} else if v.sensitive {
		v.unreadable = true
	}
	return v
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func getValues(m map[string]*configValue, keys []string) []map[string]string {
	out := []map[string]string{}
	for _, k := range keys {
		v, ok := m[k]
		if !ok {
			continue
		}
		val := v.value
		if v.unreadable {
			val = ""
		}
		out = append(out, map[string]string{"configkey": k, "configvalue": val})
	}
	return out
}

func (s *Server) ocsConfigGet(q *ocsReq) ocsResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ocsOK(getValues(s.ocs.config, q.strings("configKeys")))
}

func (s *Server) ocsConfigDelete(q *ocsReq) ocsResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, k := range q.strings("configKeys") {
		if _, ok := s.ocs.config[k]; ok {
			delete(s.ocs.config, k)
			n++
		}
	}
	if n == 0 {
		return ocsFail(http.StatusNotFound, "No appconfig_ex values deleted")
	}
	return ocsOK(n)
}

func (s *Server) ocsPrefSet(q *ocsReq) ocsResult {
	key := q.str("configKey")
	if key == "" {
		return ocsFail(http.StatusBadRequest, "Config key can't be empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.ocs.prefs[q.id.user]
	if m == nil {
		m = map[string]*configValue{}
		s.ocs.prefs[q.id.user] = m
	}
	sens, hasSens := q.integer("sensitive")
	v := s.setConfigLocked(m, key, q.str("configValue"), hasSens && q.has("sensitive"), sens == 1)
	return ocsOK(omap{{"id", v.id}, {"userid", q.id.user}, {"appid", s.opts.AppID}, {"configkey", key}, {"configvalue", q.str("configValue")}, {"sensitive", b2i(v.sensitive)}})
}

func (s *Server) ocsPrefGet(q *ocsReq) ocsResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ocsOK(getValues(s.ocs.prefs[q.id.user], q.strings("configKeys")))
}

func (s *Server) ocsPrefDelete(q *ocsReq) ocsResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.ocs.prefs[q.id.user]
	n := 0
	for _, k := range q.strings("configKeys") {
		if _, ok := m[k]; ok {
			delete(m, k)
			n++
		}
	}
	if n == 0 {
		return ocsFail(http.StatusNotFound, "No preferences_ex values deleted")
	}
	return ocsOK(n)
}

// AppConfigValue returns an ExApp app config value as ex-app/config/get-values
// would answer it.
func (s *Server) AppConfigValue(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vs := getValues(s.ocs.config, []string{key})
	if len(vs) == 0 {
		return "", false
	}
	return vs[0]["configvalue"], true
}

// SetAppConfigValue stores an ExApp app config value (like occ
// app_api:app:config:set).
func (s *Server) SetAppConfigValue(key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setConfigLocked(s.ocs.config, key, value, false, false)
}

// UserPreference returns an ExApp user preference as
// ex-app/preference/get-values would answer it for user.
func (s *Server) UserPreference(user, key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vs := getValues(s.ocs.prefs[user], []string{key})
	if len(vs) == 0 {
		return "", false
	}
	return vs[0]["configvalue"], true
}

// ErrUnknownForm is returned by SetAdminSetting for a form or field the ExApp
// did not register.
var ErrUnknownForm = errors.New("nextcloudsim: unknown declarative settings form or field")

// SetAdminSetting sets a declarative settings value as the settings UI does
// (POST /ocs/v2.php/settings/api/declarative/value, transcript 0042). The
// value is stored as AppAPI's SetValueListener stores it: admin forms into
// the ExApp's app config, personal forms into user's preferences, as a
// string ("1"/"0" for booleans, JSON for arrays and objects), encrypted
// (unreadable for the app) when the field is sensitive. The app is not
// called. user is ignored for admin forms.
func (s *Server) SetAdminSetting(user, formID, fieldID string, value any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.setDeclarativeLocked(user, formID, fieldID, value)
}

func (s *Server) setDeclarativeLocked(user, formID, fieldID string, value any) error {
	form, field, ok := s.findFieldLocked(formID, fieldID)
	if !ok {
		return fmt.Errorf("%w: %s/%s", ErrUnknownForm, formID, fieldID)
	}
	var str string
	switch v := value.(type) {
	case string:
		str = v
	case bool:
		str = fmt.Sprint(b2i(v))
	case json.Number:
		str = v.String()
	case int, int64, float64:
		str = fmt.Sprint(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("nextcloudsim: declarative value: %w", err)
		}
		str = string(b)
	}
	if sens, _ := field["sensitive"].(bool); sens {
		str = fakeCiphertext()
	}
	if st, _ := form["section_type"].(string); st == "personal" {
		m := s.ocs.prefs[user]
		if m == nil {
			m = map[string]*configValue{}
			s.ocs.prefs[user] = m
		}
		s.setConfigLocked(m, fieldID, str, false, false)
		return nil
	}
	s.setConfigLocked(s.ocs.config, fieldID, str, false, false)
	return nil
}

func (s *Server) findFieldLocked(formID, fieldID string) (map[string]any, map[string]any, bool) {
	for _, raw := range s.ocs.forms {
		var form map[string]any
		if json.Unmarshal(raw, &form) != nil || form["id"] != formID {
			continue
		}
		fields, _ := form["fields"].([]any)
		for _, f := range fields {
			fm, _ := f.(map[string]any)
			if fm != nil && fm["id"] == fieldID {
				return form, fm, true
			}
		}
	}
	return nil, nil, false
}

func (s *Server) ocsDeclarativeValue(q *ocsReq) ocsResult {
	if q.str("app") != s.opts.AppID {
		return ocsFail(http.StatusBadRequest, "Unknown app")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	form, _, ok := s.findFieldLocked(q.str("formId"), q.str("fieldId"))
	if !ok {
		return ocsFail(http.StatusBadRequest, "Unknown form or field")
	}
	if st, _ := form["section_type"].(string); st != "personal" {
		u, _ := s.user(q.id.user)
		if u == nil || !u.isAdmin() {
			return ocsFail(http.StatusForbidden, "Logged in account must be an admin")
		}
	}
	if err := s.setDeclarativeLocked(q.id.user, q.str("formId"), q.str("fieldId"), q.params["value"]); err != nil {
		return ocsFail(http.StatusBadRequest, err.Error())
	}
	return ocsOK(nil)
}

// ocsDeclarativeForms lists the ExApp's forms with their current values, as
// the settings UI sees them (transcript 0041).
func (s *Server) ocsDeclarativeForms(q *ocsReq) ocsResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, _ := s.user(q.id.user)
	out := []map[string]any{}
	for _, raw := range s.ocs.forms {
		var form map[string]any
		if json.Unmarshal(raw, &form) != nil {
			continue
		}
		st, _ := form["section_type"].(string)
		if st != "personal" && (u == nil || !u.isAdmin()) {
			continue
		}
		store := s.ocs.config
		if st == "personal" {
			store = s.ocs.prefs[q.id.user]
		}
		fields, _ := form["fields"].([]any)
		for _, f := range fields {
			fm, _ := f.(map[string]any)
			if fm == nil {
				continue
			}
			id, _ := fm["id"].(string)
			if v, ok := store[id]; ok {
				fm["value"] = v.value
			} else {
				fm["value"] = fm["default"]
			}
		}
		form["storage_type"] = "external"
		form["app"] = s.opts.AppID
		out = append(out, form)
	}
	sort.SliceStable(out, func(i, j int) bool { return fmt.Sprint(out[i]["id"]) < fmt.Sprint(out[j]["id"]) })
	return ocsOK(out)
}
