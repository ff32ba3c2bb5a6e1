package sandbox

import (
	"encoding/json"
	"net/http"

	"github.com/google/uuid"
)

// handleMCP is a minimal stand-in for Coder's MCP HTTP endpoint: enough for
// a client to discover the authorization server from a protected resource
// (401 + resource_metadata), to prove a token works (initialize) and, in
// main, to meet a scope challenge on a tool call (mcp_tools.go).
func (s *Server) handleMCP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeMethodNotAllowed(w, http.MethodPost)
		return
	}
	sess, fail := s.authenticate(r)
	if fail != nil {
		s.writeAuthFailure(w, fail)
		return
	}
	var req struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Method  string          `json:"method"`
		Params  json.RawMessage `json:"params"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.JSONRPC != "2.0" {
		writeJSONType(w, http.StatusBadRequest, "application/json", rpcReply{JSONRPC: "2.0", ID: json.RawMessage("null"), Error: &rpcError{-32700, "Parse error"}})
		return
	}
	if len(req.ID) == 0 { // a notification: nothing to answer
		w.WriteHeader(http.StatusAccepted)
		return
	}
	reply := rpcReply{JSONRPC: "2.0", ID: req.ID}
	switch req.Method {
	case "initialize":
		w.Header().Set("Mcp-Session-Id", "mcp-session-"+uuid.NewString())
		reply.Result = mcpInitResult{
			ProtocolVersion: "2025-06-18",
			Capabilities:    map[string]any{"tools": map[string]bool{"listChanged": true}},
			ServerInfo:      mcpServerInfo{Name: "Coder", Version: s.version()},
			Instructions:    "Coder MCP Server providing workspace and template management tools",
		}
	case "ping":
		reply.Result = map[string]any{}
	case "tools/list":
		tools := []mcpTool{}
		if s.b.mcpScopedTools {
			tools = mcpTools
		}
		reply.Result = map[string]any{"tools": tools}
	case "tools/call":
		if !s.b.mcpScopedTools {
			reply.Error = &rpcError{-32601, "Method not found"}
			break
		}
		if !s.callMCPTool(w, sess, req.Params, &reply) {
			return
		}
	default:
		reply.Error = &rpcError{-32601, "Method not found"}
	}
	// Coder's MCP transport labels JSON without a charset (observed §15).
	writeJSONType(w, http.StatusOK, "application/json", reply)
}

type rpcReply struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type mcpInitResult struct {
	ProtocolVersion string         `json:"protocolVersion"`
	Capabilities    map[string]any `json:"capabilities"`
	ServerInfo      mcpServerInfo  `json:"serverInfo"`
	Instructions    string         `json:"instructions"`
}

type mcpServerInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}
