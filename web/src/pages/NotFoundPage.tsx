import { Link } from "react-router-dom";
import { EmptyState } from "../components/States";

export default function NotFoundPage() {
  return (
    <EmptyState title="Page not found">
      <p>
        There is nothing at this address. Go to <Link to="/customers">Customers</Link>.
      </p>
    </EmptyState>
  );
}
