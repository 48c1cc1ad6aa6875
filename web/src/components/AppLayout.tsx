import { Suspense } from "react";
import { NavLink, Outlet } from "react-router-dom";
import { DefaultPasswordBanner, SignedInUser } from "../features/auth/SignedInBar";
import { HealthBadges } from "../features/health/HealthBadges";
import { Loading } from "./States";

const NAV = [
  { to: "/", label: "Copilot", icon: "✦" },
  { to: "/campaigns", label: "Campaigns", icon: "➤" },
  { to: "/sequences", label: "Sequences", icon: "⋯" },
  { to: "/segments", label: "Segments", icon: "◎" },
  { to: "/customers", label: "Customers", icon: "☺" },
  { to: "/delivery", label: "Delivery", icon: "⇄" },
  { to: "/audit", label: "Audit log", icon: "☰" },
];

export function AppLayout() {
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">
          <span className="brand__mark" aria-hidden="true">
            R
          </span>
          <span>
            <span className="brand__name">Reach</span>
            <span className="brand__persona">SUGAR Cosmetics</span>
          </span>
        </div>
        <nav className="nav" aria-label="Main">
          {NAV.map((item) => (
            <NavLink
              key={item.to}
              to={item.to}
              end={item.to === "/"}
              className={({ isActive }) => (isActive ? "nav__link nav__link--active" : "nav__link")}
            >
              <span className="nav__icon" aria-hidden="true">
                {item.icon}
              </span>
              {item.label}
            </NavLink>
          ))}
        </nav>
      </aside>
      <div className="main">
        <header className="topbar">
          <span className="topbar__title">Marketing CRM</span>
          <span className="topbar__end">
            <HealthBadges />
            <SignedInUser />
          </span>
        </header>
        <main className="content">
          <DefaultPasswordBanner />
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </div>
  );
}
