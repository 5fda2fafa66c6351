// The login page: POST /api/login (which sets the session cookie), then the page of the role.
import { ApiError, api, showError, clearError, wireLogout } from "./common.js";

function pageOf(user) {
  return user.role === "agent" ? "/desktop" : "/wallboard";
}

async function alreadySignedIn() {
  try {
    const me = await fetch("/api/me", { credentials: "same-origin" });
    if (!me.ok) return;
    const user = await me.json();
    document.getElementById("who").textContent = `${user.username} (${user.role})`;
    document.getElementById("continue").href = pageOf(user);
    document.getElementById("signed-in").hidden = false;
  } catch {
    // Not signed in, or the server is away: the form is all we show.
  }
}

document.getElementById("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = document.getElementById("login-button");
  button.disabled = true;
  clearError();
  try {
    const user = await api("POST", "/api/login", {
      username: document.getElementById("username").value,
      password: document.getElementById("password").value,
    });
    window.location.assign(pageOf(user));
  } catch (err) {
    showError(err instanceof ApiError ? err.message : String(err));
    document.getElementById("password").select();
  } finally {
    button.disabled = false;
  }
});

wireLogout();
alreadySignedIn();
