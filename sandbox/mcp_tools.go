package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// mcpTool is one tool of main's MCP endpoint: what tools/list shows, the
// scopes a call needs (all of them) and what a call answers.
type mcpTool struct {
	Name        string                        `json:"name"`
	Description string                        `json:"description"`
	InputSchema map[string]any                `json:"inputSchema"`
	Annotations mcpToolHints                  `json:"annotations"`
	scopes      []string                      // every one is needed
	answer      func(*session) (string, bool) // the text content, and whether it is an error
}

type mcpToolHints struct {
	ReadOnlyHint    bool `json:"readOnlyHint"`
	DestructiveHint bool `json:"destructiveHint"`
}

// mcpTools is the sandbox's choice of tools, after Coder's names: three that
// only read, in the order a client would use them, and one that would
// create something. The sandbox holds no workspaces or templates, so the
// lists are empty and the create fails; what matters is the scopes.
var mcpTools = []mcpTool{
	{
		Name: "coder_get_authenticated_user", Description: "Get the user the token belongs to.",
		InputSchema: noArguments(), Annotations: mcpToolHints{ReadOnlyHint: true},
		scopes: []string{"user:read_personal"},
		answer: func(sess *session) (string, bool) {
			b, _ := json.Marshal(map[string]string{"id": sess.user.id.String(), "username": sess.user.username, "email": sess.user.email})
			return string(b), false
		},
	},
	{
		// A workspace listing names each workspace's template: two scopes.
		Name: "coder_list_workspaces", Description: "List the user's workspaces.",
		InputSchema: noArguments(), Annotations: mcpToolHints{ReadOnlyHint: true},
		scopes: []string{"workspace:read", "template:read"},
		answer: func(*session) (string, bool) { return "[]", false },
	},
	{
		Name: "coder_list_templates", Description: "List the templates the user can use.",
		InputSchema: noArguments(), Annotations: mcpToolHints{ReadOnlyHint: true},
		scopes: []string{"template:read"},
		answer: func(*session) (string, bool) { return "[]", false },
	},
	{
		Name: "coder_create_workspace", Description: "Create a workspace from a template version.",
		InputSchema: map[string]any{"type": "object", "properties": map[string]any{
			"name":                map[string]string{"type": "string"},
			"template_version_id": map[string]string{"type": "string"},
		}, "required": []string{"name", "template_version_id"}},
		scopes: []string{"workspace:create", "template:read"},
		answer: func(*session) (string, bool) { return "template version not found", true },
	},
}

func noArguments() map[string]any {
	return map[string]any{"type": "object", "properties": map[string]any{}}
}

func findMCPTool(name string) *mcpTool {
	for i := range mcpTools {
		if mcpTools[i].Name == name {
			return &mcpTools[i]
		}
	}
	return nil
}

// callMCPTool answers tools/call. It reports false after writing an HTTP
// refusal itself: a token without every scope the tool needs gets 403 and
// one Bearer challenge naming all of them (SEP-2350), so one step-up
// suffices. Sessions are unscoped, as on the API.
func (s *Server) callMCPTool(w http.ResponseWriter, sess *session, params json.RawMessage, reply *rpcReply) bool {
	var p struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(params, &p)
	tool := findMCPTool(p.Name)
	if tool == nil {
		reply.Error = &rpcError{-32602, "Unknown tool: " + p.Name}
		return true
	}
	need := strings.Join(tool.scopes, " ")
	if sess.key.loginType == loginOAuth2 && !scopeCovered(need, sess.key.scope) {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="coder", error="insufficient_scope", error_description="The access token's scope does not allow this tool", scope=%q, resource_metadata=%q`,
			need, s.urlFor("/.well-known/oauth-protected-resource")))
		writeMessage(w, http.StatusForbidden, "Forbidden.", "The access token's scope ("+sess.key.scope+") does not allow calling "+tool.Name+".")
		return false
	}
	text, isError := tool.answer(sess)
	reply.Result = map[string]any{"content": []map[string]string{{"type": "text", "text": text}}, "isError": isError}
	return true
}
