package nextcloudsim

import (
	"encoding/json"
	"net/http"
)

// TopMenu is a top-menu entry registered through
// POST /ocs/v1.php/apps/app_api/api/v1/ui/top-menu.
type TopMenu struct {
	Name          string
	DisplayName   string
	Icon          string
	AdminRequired bool
}

// UIFile is a script or style registered through ui/script or ui/style.
type UIFile struct {
	Type       string
	Name       string
	Path       string
	AfterAppID string
}

// InitialState is a value registered through ui/initial-state.
type InitialState struct {
	Type  string
	Name  string
	Key   string
	Value json.RawMessage
}

// ocsUI implements the AppAPI UI endpoints (OCSUiController, OCSSettingsController).
func (s *Server) ocsUI(q *ocsReq, kind, method string) ocsResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch kind {
	case "top-menu":
		return s.uiTopMenu(q, method)
	case "initial-state":
		return s.uiInitialState(q, method)
	case "script":
		return s.uiFiles(q, method, &s.ocs.scripts, "ExApp Script")
	case "style":
		return s.uiFiles(q, method, &s.ocs.styles, "ExApp Style")
	default:
		return s.uiSettings(q, method)
	}
}

func (s *Server) uiTopMenu(q *ocsReq, method string) ocsResult {
	name := q.str("name")
	idx := -1
	for i, m := range s.ocs.topMenus {
		if m.Name == name {
			idx = i
		}
	}
	switch method {
	case "POST":
		if name == "" || q.str("displayName") == "" {
			return ocsFail(http.StatusBadRequest, "name and displayName are required")
		}
		admin, _ := q.integer("adminRequired")
		m := TopMenu{Name: name, DisplayName: q.str("displayName"), Icon: q.str("icon"), AdminRequired: admin == 1}
		if idx >= 0 {
			s.ocs.topMenus[idx] = m
		} else {
			s.ocs.topMenus = append(s.ocs.topMenus, m)
		}
		return ocsOK(nil)
	case "GET":
		if idx < 0 {
			return ocsFail(http.StatusNotFound, "ExApp Menu Entry not found")
		}
		m := s.ocs.topMenus[idx]
		return ocsOK(map[string]any{"id": idx + 1, "appid": s.opts.AppID, "name": m.Name, "display_name": m.DisplayName, "icon": m.Icon, "admin_required": b2i(m.AdminRequired)})
	default:
		if idx < 0 {
			return ocsFail(http.StatusNotFound, "No such ExApp Menu Entry")
		}
		s.ocs.topMenus = append(s.ocs.topMenus[:idx], s.ocs.topMenus[idx+1:]...)
		return ocsOK(nil)
	}
}

func (s *Server) uiInitialState(q *ocsReq, method string) ocsResult {
	typ, name, key := q.str("type"), q.str("name"), q.str("key")
	idx := -1
	for i, st := range s.ocs.initialStates {
		if st.Type == typ && st.Name == name && st.Key == key {
			idx = i
		}
	}
	switch method {
	case "POST":
		if typ == "" || name == "" || key == "" {
			return ocsFail(http.StatusBadRequest, "type, name and key are required")
		}
		raw, err := json.Marshal(q.params["value"])
		if err != nil {
			return ocsFail(http.StatusBadRequest, "invalid value")
		}
		st := InitialState{Type: typ, Name: name, Key: key, Value: raw}
		if idx >= 0 {
			s.ocs.initialStates[idx] = st
		} else {
			s.ocs.initialStates = append(s.ocs.initialStates, st)
		}
		return ocsOK(nil)
	case "GET":
		if idx < 0 {
			return ocsFail(http.StatusNotFound, "ExApp InitialState not found")
		}
		st := s.ocs.initialStates[idx]
		return ocsOK(map[string]any{"id": idx + 1, "appid": s.opts.AppID, "type": st.Type, "name": st.Name, "key": st.Key, "value": st.Value})
	default:
		if idx < 0 {
			return ocsFail(http.StatusNotFound, "No initial_state found")
		}
		s.ocs.initialStates = append(s.ocs.initialStates[:idx], s.ocs.initialStates[idx+1:]...)
		return ocsOK(nil)
	}
}

func (s *Server) uiFiles(q *ocsReq, method string, list *[]UIFile, what string) ocsResult {
	typ, name, path := q.str("type"), q.str("name"), q.str("path")
	idx := -1
	for i, f := range *list {
		if f.Type == typ && f.Name == name && f.Path == path {
			idx = i
		}
	}
	switch method {
	case "POST":
		if typ == "" || name == "" || path == "" {
			return ocsFail(http.StatusBadRequest, "type, name and path are required")
		}
		f := UIFile{Type: typ, Name: name, Path: path, AfterAppID: q.str("afterAppId")}
		if idx >= 0 {
			(*list)[idx] = f
		} else {
			*list = append(*list, f)
		}
		return ocsOK(nil)
	case "GET":
		if idx < 0 {
			return ocsFail(http.StatusNotFound, what+" not found")
		}
		f := (*list)[idx]
		return ocsOK(map[string]any{"id": idx + 1, "appid": s.opts.AppID, "type": f.Type, "name": f.Name, "path": f.Path, "after_app_id": f.AfterAppID})
	default:
		if idx < 0 {
			return ocsFail(http.StatusNotFound, what+" not found")
		}
		*list = append((*list)[:idx], (*list)[idx+1:]...)
		return ocsOK(nil)
	}
}

func (s *Server) uiSettings(q *ocsReq, method string) ocsResult {
	find := func(id string) int {
		for i, raw := range s.ocs.forms {
			var f struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(raw, &f) == nil && f.ID == id {
				return i
			}
		}
		return -1
	}
	switch method {
	case "POST":
		scheme, ok := q.params["formScheme"].(map[string]any)
		id, _ := scheme["id"].(string)
		if !ok || id == "" {
			return ocsFail(http.StatusBadRequest, "Invalid formScheme")
		}
		raw, err := json.Marshal(scheme)
		if err != nil {
			return ocsFail(http.StatusBadRequest, "Invalid formScheme")
		}
		if i := find(id); i >= 0 {
			s.ocs.forms[i] = raw
		} else {
			s.ocs.forms = append(s.ocs.forms, raw)
		}
		return ocsOK(nil)
	case "GET":
		i := find(q.str("formId"))
		if i < 0 {
			return ocsFail(http.StatusNotFound, "Settings form not found")
		}
		var form map[string]any
		_ = json.Unmarshal(s.ocs.forms[i], &form)
		form["storage_type"] = "external"
		return ocsOK(form)
	default:
		i := find(q.str("formId"))
		if i < 0 {
			return ocsFail(http.StatusNotFound, "Settings form not found")
		}
		s.ocs.forms = append(s.ocs.forms[:i], s.ocs.forms[i+1:]...)
		return ocsOK(nil)
	}
}

// TopMenus returns the registered top-menu entries.
func (s *Server) TopMenus() []TopMenu {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]TopMenu(nil), s.ocs.topMenus...)
}

// Scripts returns the registered scripts.
func (s *Server) Scripts() []UIFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]UIFile(nil), s.ocs.scripts...)
}

// Styles returns the registered styles.
func (s *Server) Styles() []UIFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]UIFile(nil), s.ocs.styles...)
}

// InitialStates returns the registered initial states.
func (s *Server) InitialStates() []InitialState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]InitialState(nil), s.ocs.initialStates...)
}

// SettingsForms returns the registered declarative settings form schemes.
func (s *Server) SettingsForms() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]json.RawMessage(nil), s.ocs.forms...)
}
