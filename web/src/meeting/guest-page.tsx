import { useParams } from 'react-router';

/** A guest's invitation link: no account, a code in the URL's fragment exchanged for a guest token. */
export default function GuestPage() {
  const { slug } = useParams();
  return (
    <main id="main">
      <h1>{slug}</h1>
    </main>
  );
}
