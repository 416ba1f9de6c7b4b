package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// fileRec is a file going through Slack's three-step upload:
// files.getUploadURLExternal, a POST to the upload URL, then
// files.completeUploadExternal, which shares it.
type fileRec struct {
	id, name, title string
	length          int
	content         []byte
	uploaded        bool
	created         time.Time
}

func (f *fileRec) displayName() string {
	if f.title != "" {
		return f.title
	}
	return f.name
}

// json renders the file as it appears in messages. Call with s.mu held.
func (f *fileRec) json(s *Server) map[string]any {
	return map[string]any{
		"id": f.id, "name": f.name, "title": f.displayName(), "size": len(f.content),
		"user": botUserID, "created": f.created.Unix(), "timestamp": f.created.Unix(),
		"mimetype": "application/octet-stream", "filetype": "binary",
		"url_private": s.base + "/files/" + f.id + "/" + f.name, "mode": "hosted",
	}
}

func (s *Server) apiGetUploadURL(req *apiRequest) (map[string]any, error) {
	if err := req.requireParams("filename", "length"); err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(req.params["length"])
	if err != nil || n <= 0 {
		return nil, apiErr("invalid_arguments", "[ERROR] length must be a positive integer")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &fileRec{id: s.nextID("F"), name: req.params["filename"], length: n, created: s.now()}
	s.files[f.id] = f
	// slack-go sends the bot token to the upload URL only when it has the
	// API URL's scheme and host, so it must live on this server.
	return map[string]any{"upload_url": s.base + "/upload/" + f.id, "file_id": f.id}, nil
}

// handleUpload receives the file bytes (multipart field "file").
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	call := Call{Method: "files.upload", Params: map[string]string{"file_id": id}, At: s.now()}
	call.Token, _ = strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if f, ok := s.takeFault("files.upload"); ok {
		s.sleep(f.Latency, r.Context().Done())
		if f.Status != 0 || f.RetryAfter != 0 || f.Error != "" {
			s.writeFault(w, &call, f)
			return
		}
	}
	status, msg := s.receiveUpload(r, id)
	call.Status = status
	if status != http.StatusOK {
		call.Error = msg
	}
	s.record(call)
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg)
}

func (s *Server) receiveUpload(r *http.Request, id string) (int, string) {
	if r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed, "method not allowed"
	}
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		return http.StatusBadRequest, "bad multipart body: " + err.Error()
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return http.StatusBadRequest, "missing multipart field \"file\""
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		return http.StatusBadRequest, "reading upload: " + err.Error()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	if !ok {
		return http.StatusNotFound, "unknown upload"
	}
	f.content, f.uploaded = data, true
	if f.name == "" {
		f.name = hdr.Filename
	}
	s.notify()
	return http.StatusOK, fmt.Sprintf("OK - %d", len(data))
}

func (s *Server) apiCompleteUpload(req *apiRequest) (map[string]any, error) {
	var list []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(req.params["files"]), &list); err != nil || len(list) == 0 {
		return nil, apiErr("invalid_arguments", "[ERROR] files must be a JSON array of {id,title}")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var recs []*fileRec
	var out []any
	for _, it := range list {
		f, ok := s.files[it.ID]
		if !ok || !f.uploaded {
			return nil, apiErr("file_not_found", "[ERROR] file "+it.ID+" was not uploaded")
		}
		if it.Title != "" {
			f.title = it.Title
		}
		recs = append(recs, f)
		out = append(out, map[string]any{"id": f.id, "title": f.displayName()})
	}
	if err := s.shareFiles(req, recs); err != nil {
		return nil, err
	}
	return map[string]any{"files": out}, nil
}

// shareFiles posts the files in channel_id (and channels), as a message
// from the bot, in a thread when thread_ts is given. Call with s.mu held.
func (s *Server) shareFiles(req *apiRequest, files []*fileRec) error {
	var targets []string
	if c := req.params["channel_id"]; c != "" {
		targets = append(targets, c)
	}
	for c := range strings.SplitSeq(req.params["channels"], ",") {
		if c = strings.TrimSpace(c); c != "" {
			targets = append(targets, c)
		}
	}
	for _, id := range targets {
		ch, err := s.resolveChannel(id)
		if err != nil {
			return err
		}
		if err := s.checkCanPost(ch); err != nil {
			return err
		}
		root, err := s.threadRoot(ch.ID, req.params["thread_ts"])
		if err != nil {
			return err
		}
		c := content{text: req.params["initial_comment"]}
		if raw, ok := req.params["blocks"]; ok {
			if c.blocks, err = decodeBlocks([]byte(raw)); err != nil {
				return apiErr("invalid_blocks_format", err.Error())
			}
		}
		s.normalizeBlocks(c.blocks)
		r := &msgRec{
			channel: ch.ID, ts: s.nextTS(), threadTS: root, user: botUserID, bot: true, files: files,
			versions: []msgVersion{{text: c.text, blocks: c.blocks, at: s.now()}},
		}
		s.storeMessage(r)
	}
	return nil
}
